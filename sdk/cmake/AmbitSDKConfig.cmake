# find_package(AmbitSDK) for out-of-tree plugins: gives Ambit::sdk and ambit_add_plugin().
include("${CMAKE_CURRENT_LIST_DIR}/AmbitDependencies.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/AmbitSDKTargets.cmake")
if(NOT DEFINED AMBIT_PLUGIN_OUTPUT_DIR)
  set(AMBIT_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/AmbitPlugin.cmake")
