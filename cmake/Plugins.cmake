# Plugins.cmake — s3f_add_plugin(KIND NAME SOURCES file... [LIBS lib...])
# builds a first-party plugin module se3flow_<KIND>_<NAME>.so (no "lib"
# prefix: it is loaded, not linked) into <build>/plugins, where the plugin
# host looks when se3flow runs from the build tree, and installs it to
# lib/se3flow/plugins, where it looks beside an installed libse3flow. The
# target (se3flow_<KIND>_<NAME>) is appended to the global property
# SE3FLOW_PLUGIN_TARGETS so that tests can depend on every plugin.
function(s3f_add_plugin kind name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  set(target se3flow_${kind}_${name})
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE se3flow OpenMP::OpenMP_C ${P_LIBS})
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME ${target}
    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/plugins
    INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/se3flow/plugins)
  set_property(GLOBAL APPEND PROPERTY SE3FLOW_PLUGIN_TARGETS ${target})
endfunction()
