// Asio's and Beast's non-template code, compiled once here instead of in
// every file that includes them (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION, set for the target): shorter builds.
#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
