// Brings OpenBLAS's CBLAS interface (and its thread controls) into Swift.
#include <cblas.h>
