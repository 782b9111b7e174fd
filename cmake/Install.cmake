# Install.cmake — the installable SDK: the se3flow binary, libse3flow, the
# public headers, the first-party plugins (lib/se3flow/plugins, where the
# plugin host looks beside libse3flow), a CMake package config with a
# se3flow_add_plugin() helper, and a pkg-config file.
include(CMakePackageConfigHelpers)

set(SE3FLOW_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/se3flow)
set(SE3FLOW_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/se3flow/plugins)

install(TARGETS se3flow EXPORT se3flowTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/se3flow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS se3flow_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT se3flowTargets NAMESPACE se3flow:: DESTINATION ${SE3FLOW_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/se3flowConfig.cmake.in
  ${PROJECT_BINARY_DIR}/se3flowConfig.cmake INSTALL_DESTINATION ${SE3FLOW_INSTALL_CMAKEDIR}
  PATH_VARS SE3FLOW_INSTALL_PLUGINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/se3flowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/se3flowConfig.cmake ${PROJECT_BINARY_DIR}/se3flowConfigVersion.cmake
        DESTINATION ${SE3FLOW_INSTALL_CMAKEDIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/se3flow.pc.in ${PROJECT_BINARY_DIR}/se3flow.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/se3flow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The first-party plugins' directory exists even before any plugin is installed.
install(DIRECTORY DESTINATION ${SE3FLOW_INSTALL_PLUGINDIR})
