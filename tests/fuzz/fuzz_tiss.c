/* fuzz_tiss.c: libFuzzer target for the TISS reader (fat_tiss_read_memory):
** any bytes must give a message or a clear error, never a crash, a leak or
** undefined behaviour. Seeds: ../shared/tiss/samples and tests/data/tiss. */
#include <stddef.h>
#include <stdint.h>

#include "fat_tiss_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fat_tiss_msg *m = NULL;
  fat_err err;

  if (fat_tiss_read_memory((const char *)data, size, "fuzz.xml", &m, &err) == FAT_OK)
    fat_tiss_msg_free(m);
  return 0;
}
