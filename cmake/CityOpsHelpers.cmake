# cityops_add_test(name SOURCES ... LIBS ...)
# One Qt Test executable per unit; runs offscreen with an isolated HOME so that
# QSettings and QStandardPaths never touch the developer's real profile.
function(cityops_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
    qt_add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    cityops_timeout(timeout ${ARG_TIMEOUT})
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${timeout}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LC_ALL=C.UTF-8;TZ=UTC")
endfunction()

# cityops_timeout(var seconds): a test's timeout, `seconds` in a normal build; code built with
# the sanitizers (CITYOPS_SANITIZE) runs several times slower, so it gets four times as long.
function(cityops_timeout out seconds)
    if(CITYOPS_SANITIZE)
        math(EXPR seconds "${seconds} * 4")
    endif()
    set(${out} ${seconds} PARENT_SCOPE)
endfunction()
