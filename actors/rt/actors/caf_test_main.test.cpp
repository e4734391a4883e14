// Entry point of the actor test binary (CAF's unit test framework).
#define CAF_SUITE main
#include <caf/test/unit_test_impl.hpp>
