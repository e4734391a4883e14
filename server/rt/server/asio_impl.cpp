// The one translation unit that compiles Asio and Beast (separate
// compilation keeps every other server file lighter to build).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
