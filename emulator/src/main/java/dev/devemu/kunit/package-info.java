/**
 * Driver tests in the spirit of the kernel's KUnit: suites of cases run against mock devices, each case in its own
 * deterministic testbed, under one or more seeds and scheduling strategies, printed as KTAP version 1 exactly as
 * the kernel prints it (so {@code tools/testing/kunit/kunit.py parse} reads it).
 *
 * <p>Mainline truth: the Rust {@code kernel::kunit} module (the {@code kunit_assert!} family) is in mainline since
 * 6.6 and the {@code #[kunit_tests]} attribute that registers a Rust suite since 6.15. This package is modelled on
 * the C API ({@code KUNIT_EXPECT_EQ}, {@code KUNIT_ASSERT_*}, {@code init}/{@code exit}, parameterised cases),
 * which both build on. Running a case under several seeds and strategies, and failing it on a detector report with
 * the report and the command that replays it, goes beyond KUnit. Author's guide: {@code docs/kunit.md}.
 */
package dev.devemu.kunit;
