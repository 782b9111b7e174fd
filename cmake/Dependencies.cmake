# Dependencies.cmake — the system libraries core links: OpenMP and OpenBLAS.
#
# OpenBLAS must be Debian's OpenMP build (libopenblas-openmp-dev): the
# pthreads build would start its own thread pool inside our OpenMP regions.
# scripts/install-deps installs it.
find_package(OpenMP REQUIRED COMPONENTS C)

set(_openblas_variant_dirs
  /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
  /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
find_library(SE3FLOW_OPENBLAS_LIBRARY NAMES openblas
  HINTS ${_openblas_variant_dirs} NO_DEFAULT_PATH)
find_library(SE3FLOW_OPENBLAS_LIBRARY NAMES openblas)
find_path(SE3FLOW_CBLAS_INCLUDE_DIR cblas.h
  HINTS ${_openblas_variant_dirs} NO_DEFAULT_PATH)
find_path(SE3FLOW_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
if(NOT SE3FLOW_OPENBLAS_LIBRARY OR NOT SE3FLOW_CBLAS_INCLUDE_DIR)
  message(FATAL_ERROR "OpenBLAS not found: run scripts/install-deps (libopenblas-openmp-dev)")
endif()
if(NOT SE3FLOW_OPENBLAS_LIBRARY MATCHES "openmp")
  message(WARNING "Using ${SE3FLOW_OPENBLAS_LIBRARY}, which may not be the OpenMP build of OpenBLAS")
endif()
add_library(se3flow_blas INTERFACE)
target_include_directories(se3flow_blas INTERFACE ${SE3FLOW_CBLAS_INCLUDE_DIR})
target_link_libraries(se3flow_blas INTERFACE ${SE3FLOW_OPENBLAS_LIBRARY})

# cJSON (libcjson-dev): safetensors headers, JSON output.
find_path(SE3FLOW_CJSON_INCLUDE_DIR cjson/cJSON.h)
find_library(SE3FLOW_CJSON_LIBRARY cjson)
if(NOT SE3FLOW_CJSON_INCLUDE_DIR OR NOT SE3FLOW_CJSON_LIBRARY)
  message(FATAL_ERROR "cJSON not found: run scripts/install-deps (libcjson-dev)")
endif()
add_library(se3flow_cjson INTERFACE)
target_include_directories(se3flow_cjson INTERFACE ${SE3FLOW_CJSON_INCLUDE_DIR})
target_link_libraries(se3flow_cjson INTERFACE ${SE3FLOW_CJSON_LIBRARY})

# CRC32C for TFRecord framing (the tensorboard logger). Debian has no
# libcrc32c package; Intel ISA-L (libisal-dev) provides CRC32C as
# crc32_iscsi, hardware-accelerated where the CPU can.
find_library(SE3FLOW_ISAL_LIBRARY isal)
find_path(SE3FLOW_ISAL_INCLUDE_DIR isa-l/crc.h)
if(NOT SE3FLOW_ISAL_LIBRARY OR NOT SE3FLOW_ISAL_INCLUDE_DIR)
  message(FATAL_ERROR "ISA-L not found: run scripts/install-deps (libisal-dev)")
endif()
add_library(se3flow_crc32c INTERFACE)
target_include_directories(se3flow_crc32c INTERFACE ${SE3FLOW_ISAL_INCLUDE_DIR})
target_link_libraries(se3flow_crc32c INTERFACE ${SE3FLOW_ISAL_LIBRARY})

# libyaml: recipes (core/src/recipe). Debian: libyaml-dev.
find_path(SE3FLOW_YAML_INCLUDE_DIR yaml.h)
find_library(SE3FLOW_YAML_LIBRARY yaml)
if(NOT SE3FLOW_YAML_INCLUDE_DIR OR NOT SE3FLOW_YAML_LIBRARY)
  message(FATAL_ERROR "libyaml not found: run scripts/install-deps (libyaml-dev)")
endif()
add_library(se3flow_yaml INTERFACE)
target_include_directories(se3flow_yaml INTERFACE ${SE3FLOW_YAML_INCLUDE_DIR})
target_link_libraries(se3flow_yaml INTERFACE ${SE3FLOW_YAML_LIBRARY})

# zlib (zlib1g-dev): inflating and checking .npz members (core/src/io/npz.c).
find_package(ZLIB)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "zlib not found: run scripts/install-deps (zlib1g-dev)")
endif()

# The run store (core/src/run_store): SQLite (libsqlite3-dev) and SHA-256
# from OpenSSL's libcrypto (libssl-dev).
find_package(SQLite3)
if(NOT SQLite3_FOUND)
  message(FATAL_ERROR "SQLite not found: run scripts/install-deps (libsqlite3-dev)")
endif()
find_package(OpenSSL COMPONENTS Crypto)
if(NOT OpenSSL_FOUND)
  message(FATAL_ERROR "OpenSSL libcrypto not found: run scripts/install-deps (libssl-dev)")
endif()

# libcurl (libcurl4-openssl-dev): the downloader (core/src/io/download.c)
# that dataset plugins use.
find_package(CURL)
if(NOT CURL_FOUND)
  message(FATAL_ERROR "libcurl not found: run scripts/install-deps (libcurl4-openssl-dev)")
endif()
