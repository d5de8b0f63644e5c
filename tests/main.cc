// The Catch2 entry point of unit-tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
