# Plugins.cmake — s3f_add_plugin(NAME SOURCES...) builds a first-party plugin
# module: no "lib" prefix, file se3flow_NAME.so in <build>/plugins (where the
# plugin host looks when se3flow runs from the build tree), installed to
# lib/se3flow/plugins (where it looks beside an installed libse3flow).
function(s3f_add_plugin name)
  add_library(plugin_${name} MODULE ${ARGN})
  target_link_libraries(plugin_${name} PRIVATE se3flow OpenMP::OpenMP_C)
  set_target_properties(plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME se3flow_${name}
    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/plugins
    INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS plugin_${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/se3flow/plugins)
endfunction()
