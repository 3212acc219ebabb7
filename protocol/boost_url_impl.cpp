// Boost.URL's compiled parts, built once here instead of linking
// libboost-url (not one of the project's packages).
#include <boost/url/src.hpp>
