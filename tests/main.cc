// The Catch2 entry point of the test binaries (unit-tests, kv-tests, lock-tests).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
