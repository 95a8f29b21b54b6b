#!/usr/bin/perl
# store_api_convert.pl: rewrite engine code from SQLite's statement API to the
# store's (fat_store_int.h: fat_stmt, fat_stmt_step, fat_col_*, fat_bind_*).
# Usage: perl tools/store_api_convert.pl FILE.c ...   (edits in place)
#        perl tools/store_api_convert.pl --tests tests/unit/test_*.c
# Idempotent: run it again on code merged from a branch that still uses
# sqlite3_* calls. Tests that open their own raw statements on
# fat_store_db() keep SQLite's API and include "fat_store_sqlite.h" instead.
use strict;
use warnings;

my $tests = 0;
if (@ARGV && $ARGV[0] eq '--tests') {
  $tests = 1;
  shift @ARGV;
}

for my $f (@ARGV) {
  open(my $in, '<', $f) or die "$f: $!";
  local $/;
  my $t = <$in>;
  close $in;
  my $o = $t;
  if ($tests) {
    # tests keep SQLite's API on their own raw statements
    if ($t =~ /fat_store_db\(/ && $t !~ /fat_store_sqlite\.h/) {
      $t =~ s/(#include "fat_store_int\.h"\n)/$1#include "fat_store_sqlite.h"\n/;
    }
    if ($t ne $o) {
      open(my $out, '>', $f) or die "$f: $!";
      print $out $t;
      close $out;
      print "converted $f\n";
    }
    next;
  }
  $t =~ s/\bsqlite3_stmt\b/fat_stmt/g;
  $t =~ s/\(const char \*\)\s*sqlite3_column_text\(/fat_col_text(/g;
  $t =~ s/const unsigned char \*(\w+) = sqlite3_column_text\(/const char *$1 = fat_col_text(/g;
  $t =~ s/sqlite3_column_type\(([^()]*)\)\s*==\s*SQLITE_NULL/fat_col_is_null($1)/g;
  $t =~ s/sqlite3_column_type\(([^()]*)\)\s*!=\s*SQLITE_NULL/!fat_col_is_null($1)/g;
  $t =~ s/\bsqlite3_column_type\(/fat_col_type(/g;
  $t =~ s/\bSQLITE_INTEGER\b/FAT_COL_INTEGER/g;
  $t =~ s/\bSQLITE_FLOAT\b/FAT_COL_REAL/g;
  $t =~ s/\bSQLITE_TEXT\b/FAT_COL_TEXT/g;
  $t =~ s/\bSQLITE_NULL\b/FAT_COL_NULL/g;
  $t =~ s/\bsqlite3_step\(/fat_stmt_step(/g;
  $t =~ s/\bsqlite3_reset\(/fat_stmt_reset(/g;
  $t =~ s/\bsqlite3_column_int64\(/fat_col_int64(/g;
  $t =~ s/\bsqlite3_column_int\(/fat_col_int(/g;
  $t =~ s/\bsqlite3_column_double\(/fat_col_double(/g;
  $t =~ s/\bsqlite3_column_text\(/fat_col_text(/g;
  $t =~ s/\bsqlite3_column_blob\(/fat_col_blob(/g;
  $t =~ s/\bsqlite3_column_bytes\(/fat_col_bytes(/g;
  $t =~ s/\bsqlite3_column_count\(/fat_col_count(/g;
  $t =~ s/\bsqlite3_column_name\(/fat_col_name(/g;
  $t =~ s/\bSQLITE_ROW\b/FAT_ROW/g;
  $t =~ s/\bSQLITE_DONE\b/FAT_DONE/g;
  $t =~ s/\bsqlite3_changes\(fat_store_db\(([^()]*(?:\([^()]*\))?[^()]*)\)\)/fat_store_changes($1)/g;
  $t =~ s/\bsqlite3_bind_blob\(([^,]+),\s*([^,]+),\s*([^,]+),\s*\(int\)\s*([^,]+),\s*SQLITE_TRANSIENT\)/fat_bind_blob($1, $2, $3, $4)/g;
  $t =~ s/\bsqlite3_bind_text\(([^,]+),\s*([^,]+),\s*([^,]+),\s*\(int\)\s*([^,]+),\s*SQLITE_TRANSIENT\)/fat_bind_textn($1, $2, $3, $4)/g;
  $t =~ s/\bsqlite3_bind_text\(([^,]+),\s*([^,]+),\s*([^,]+),\s*-1,\s*SQLITE_TRANSIENT\)/fat_bind_text($1, $2, $3)/g;
  $t =~ s/\bsqlite3_bind_int64\(/fat_bind_int(/g;
  $t =~ s/\bsqlite3_bind_null\(/fat_bind_null(/g;
  $t =~ s/\bsqlite3_bind_parameter_count\(/fat_stmt_param_count(/g;
  $t =~ s/^#include <sqlite3\.h>\n//mg;
  while ($t =~ /\b(\w+) = fat_col_text\(/g) {
    my $v = $1;
    $t =~ s/const unsigned char \*\Q$v\E;/const char *$v;/g;
  }
  if ($t ne $o) {
    open(my $out, '>', $f) or die "$f: $!";
    print $out $t;
    close $out;
    print "converted $f\n";
  }
}
