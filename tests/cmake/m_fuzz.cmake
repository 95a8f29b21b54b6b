# Part M: libFuzzer targets (tests/fuzz/), built when the compiler is clang
# (clang-14, Debian) or with -DFAT_FUZZ=ON; each is a ctest labelled `fuzz`
# that runs for FAT_FUZZ_SECONDS over its seed corpus. Seeds are read where
# they are (../shared/tiss/samples, tests/data, rules/operators): libFuzzer
# writes the inputs it finds only into the first folder, a scratch folder in
# the build tree. A crash leaves crash-<sha1> in the build's tests/ folder:
# add it to tests/fuzz/regress/<target>/ (replayed by every build, see
# fuzz_sementes.* below, and added to the fuzzer's seeds) and fix the cause.
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DFAT_SANITIZE=address,undefined \
#         -DFAT_SANITIZER_SUITE=OFF -DFAT_BROWSER_TESTS=OFF
#   cmake --build build-fuzz -j2 && ctest --test-dir build-fuzz -L fuzz
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  set(fat_fuzz_default ON)
else()
  set(fat_fuzz_default OFF)
endif()
option(FAT_FUZZ "build the libFuzzer targets of tests/fuzz (needs clang)" ${fat_fuzz_default})
set(FAT_FUZZ_SECONDS 60 CACHE STRING "seconds each fuzz test runs under ctest")

# Targets added by Part M (faults and fuzzing): price tables, the agenda CSV
# and the HTTP JSON body; each seeded from tests/fuzz/seeds/<alvo>.
set(fat_fuzz_novos tabelas agenda corpo)

if(FAT_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FAT_FUZZ precisa do clang: -DCMAKE_C_COMPILER=clang-14")
  endif()
  # coverage feedback from the engine, not only from the targets
  foreach(lib faturo_core faturo_demo faturo_web)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link)
  endforeach()

  # target -> source, extra definitions, seed folders
  set(fat_fuzz_targets tiss import_json import_csv contrato valores)
  set(fat_fuzz_src_tiss fuzz_tiss.c)
  set(fat_fuzz_seeds_tiss ${FAT_SHARED_DIR}/tiss/samples ${CMAKE_SOURCE_DIR}/tests/data/tiss)
  set(fat_fuzz_src_import_json fuzz_import.c)
  set(fat_fuzz_def_import_json FUZZ_FORMATO=FAT_FMT_JSON)
  set(fat_fuzz_seeds_import_json ${CMAKE_SOURCE_DIR}/tests/data/import
      ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/import_json)
  set(fat_fuzz_src_import_csv fuzz_import.c)
  set(fat_fuzz_def_import_csv FUZZ_FORMATO=FAT_FMT_CSV)
  set(fat_fuzz_seeds_import_csv ${CMAKE_SOURCE_DIR}/tests/data/import)
  set(fat_fuzz_src_contrato fuzz_contrato.c)
  set(fat_fuzz_seeds_contrato ${CMAKE_SOURCE_DIR}/rules/operators)
  set(fat_fuzz_src_valores fuzz_valores.c)
  set(fat_fuzz_seeds_valores ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/valores)
  foreach(t ${fat_fuzz_novos})
    set(fat_fuzz_src_${t} fuzz_${t}.c)
    set(fat_fuzz_seeds_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/${t})
  endforeach()
  list(APPEND fat_fuzz_targets ${fat_fuzz_novos})
  foreach(t ${fat_fuzz_targets})
    if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/regress/${t})
      list(APPEND fat_fuzz_seeds_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/regress/${t})
    endif()
  endforeach()

  foreach(t ${fat_fuzz_targets})
    add_executable(fuzz_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/${fat_fuzz_src_${t}})
    target_link_libraries(fuzz_${t} PRIVATE faturo_demo faturo_web faturo_core)
    fat_target_setup(fuzz_${t})
    if(fat_fuzz_def_${t})
      target_compile_definitions(fuzz_${t} PRIVATE ${fat_fuzz_def_${t}})
    endif()
    target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus/${t})
    add_test(NAME fuzz.${t}
      COMMAND sh -c "mkdir -p '${corpus}' && exec \"$0\" \"$@\""
              $<TARGET_FILE:fuzz_${t}> -max_total_time=${FAT_FUZZ_SECONDS} -timeout=30
              -rss_limit_mb=2048 -print_final_stats=1 ${corpus} ${fat_fuzz_seeds_${t}}
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    math(EXPR fat_fuzz_timeout "${FAT_FUZZ_SECONDS} * 3 + 120")
    set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz TIMEOUT ${fat_fuzz_timeout}
      ENVIRONMENT "${FAT_TEST_ENV}")
  endforeach()
endif()

# Without libFuzzer (gcc builds, the sanitizer suite): every target is also
# linked with tests/fuzz/fuzz_replay.c and replays its seeds and regression
# inputs (tests/fuzz/seeds/<alvo>, tests/fuzz/regress/<alvo>) once, as the
# test fuzz_sementes.<alvo> (label unit): a crash found by the fuzzer and
# kept in regress/ stays fixed in every build.
if(NOT FAT_FUZZ)
  set(fat_replay_targets tabelas agenda corpo import_json import_csv valores tiss contrato)
  set(fat_replay_src_import_json fuzz_import.c)
  set(fat_replay_def_import_json FUZZ_FORMATO=FAT_FMT_JSON)
  set(fat_replay_seeds_import_json ${CMAKE_SOURCE_DIR}/tests/data/import
      ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/import_json)
  set(fat_replay_src_import_csv fuzz_import.c)
  set(fat_replay_def_import_csv FUZZ_FORMATO=FAT_FMT_CSV)
  set(fat_replay_seeds_import_csv ${CMAKE_SOURCE_DIR}/tests/data/import)
  set(fat_replay_seeds_tiss ${CMAKE_SOURCE_DIR}/tests/data/tiss)
  set(fat_replay_seeds_contrato ${CMAKE_SOURCE_DIR}/rules/operators)
  foreach(t ${fat_replay_targets})
    if(NOT fat_replay_src_${t})
      set(fat_replay_src_${t} fuzz_${t}.c)
    endif()
    if(NOT fat_replay_seeds_${t})
      set(fat_replay_seeds_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/${t})
    endif()
    if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/regress/${t})
      list(APPEND fat_replay_seeds_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/regress/${t})
    endif()
    add_executable(fuzz_replay_${t} ${CMAKE_SOURCE_DIR}/tests/fuzz/${fat_replay_src_${t}}
                   ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay.c)
    target_link_libraries(fuzz_replay_${t} PRIVATE faturo_demo faturo_web faturo_core)
    fat_target_setup(fuzz_replay_${t})
    if(fat_replay_def_${t})
      target_compile_definitions(fuzz_replay_${t} PRIVATE ${fat_replay_def_${t}})
    endif()
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz-replay/${t})
    add_test(NAME fuzz_sementes.${t}
      COMMAND sh -c "mkdir -p '${dir}' && cd '${dir}' && exec \"$0\" \"$@\""
              $<TARGET_FILE:fuzz_replay_${t}> ${fat_replay_seeds_${t}})
    set_tests_properties(fuzz_sementes.${t} PROPERTIES LABELS unit TIMEOUT 300
      ENVIRONMENT "${FAT_TEST_ENV}")
  endforeach()
endif()
