/* fat_paths.h: where faturo's data lives (operator rules, the shared Lua
** modules, the panel's files, the TISS XSDs), found at run time from the
** environment and the executable's location. No build path is compiled in:
** a copied or installed faturo never reads another tree's files.
**
** The data directory is, in this order:
**   1. $FATURO_HOME (when set and not empty);
**   2. <dir of the executable>/../share/faturo, when it holds
**      scripts/faturo/base.lua (the layout `cmake --install` creates:
**      bin/faturo and share/faturo/{rules,scripts,web/static,schemas});
**   3. when the executable sits in a CMake build folder (CMakeCache.txt in
**      its folder or the one above), the source tree that cache names
**      (CMAKE_HOME_DIRECTORY), when it holds scripts/faturo/base.lua.
** Inside it: rules/, scripts/, web/static/, schemas/tiss/4.01.00/.
*/
#ifndef FAT_PATHS_H
#define FAT_PATHS_H

/* The data directory, or NULL when none was found. Computed once; the
** string is static (do not free). Thread-safe. */
const char *fat_paths_data_dir(void);

/* "<data dir>/<rel>" as a new string (fat_free), or NULL when there is no
** data directory (or out of memory). */
char *fat_paths_data(const char *rel);

/* The folder with the TISS 4.01.00 XSDs (tissV4_01_00.xsd): the data
** directory's schemas/tiss/4.01.00, else, for a source tree, the shared/
** folder beside it (../shared/tiss/4.01.00). NULL when absent. Static,
** computed once. */
const char *fat_paths_xsd_dir(void);

#endif
