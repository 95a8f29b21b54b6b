/* fat_store_sqlite.h: the SQLite handle behind a store, for fat_store.c and
** for tests that inspect a database directly. Engine modules use
** fat_store_int.h instead and never see SQLite's types. */
#ifndef FAT_STORE_SQLITE_H
#define FAT_STORE_SQLITE_H

#include <sqlite3.h>

#include "fat_store.h"

/* The connection of st (owned by the store). */
sqlite3 *fat_store_db(fat_store *st);

#endif
