// Brings zlib (gzip streams for the IDX data files) into Swift.
#include <zlib.h>
