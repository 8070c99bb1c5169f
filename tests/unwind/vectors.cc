// SPDX-License-Identifier: GPL-2.0
/*
 * C++ for tests/anonleak_stacks.py: two functions allocate large vectors
 * (operator new -> malloc -> mmap), COUNT of each, leaked; built -O2
 * without frame pointers, like Debian's libstdc++.
 */
#include <cstdlib>
#include <vector>

static std::vector<std::vector<char> *> keep;

__attribute__((noinline)) void vec_alpha(void)
{
	keep.push_back(new std::vector<char>(43 * 4096 - 64, 'a'));
}

__attribute__((noinline)) void vec_beta(void)
{
	keep.push_back(new std::vector<char>(44 * 4096 - 64, 'b'));
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 2;

	for (int i = 0; i < n; i++)
		vec_alpha();
	for (int i = 0; i < 2 * n; i++)
		vec_beta();
	return 0;
}
