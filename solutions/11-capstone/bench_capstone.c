#include "asl/util.h"
int main(int argc, char **argv)
{
	asl_no_arguments(argc, argv, "");
	return 0;
}
