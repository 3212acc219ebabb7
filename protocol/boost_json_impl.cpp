// Boost.JSON, compiled once here (header-only use without its library).
#include <boost/json/src.hpp>
