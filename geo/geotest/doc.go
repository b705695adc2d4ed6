// Package geotest provides helpers for the tests of the durand module, in the
// way net/http/httptest serves tests of HTTP code.
//
// It answers four questions every test that leaves the process asks:
//
//   - Where is the tool? RequireTool finds an external program (psql,
//     ogrinfo, chromium, node, …) on PATH.
//   - Where is the data? RepoRoot finds the module root (the directory
//     holding go.mod) and SharedData the third-party inputs kept outside the
//     repository in ../shared/data.
//   - Where is the oracle? StartPostGIS starts a throwaway PostgreSQL server
//     with PostGIS in a temporary directory, and PostGIS.Query runs SQL
//     through psql.
//   - Where is the browser? A Chromium value held by a package's tests
//     starts one headless Chromium for the whole test binary on first use
//     and gives its DevTools address to every browser test (node scripts
//     connect to it with playwright-core); TestMain closes it.
//
// The rule for anything missing is the project's: outside CI (the CI
// environment variable unset or empty) the test is skipped with a message
// that says what to install; under CI (CI set, for example CI=true) a
// missing tool or data set fails the test, so that a green CI run never
// hides a test that did not run. Missing implements the rule for callers
// with their own checks.
//
// Units: durations are time.Duration; nothing in this package measures
// distances. The package has no package-level state and no init function.
package geotest
