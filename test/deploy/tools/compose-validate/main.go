// Command compose-validate loads a compose file with compose-go, the library Docker Compose itself
// is built on, and prints the normalized project as JSON on stdout. Loading runs what
// `docker compose config` runs: schema validation against the compose specification, interpolation,
// normalization and the consistency checks (undefined secrets, volumes, networks, dependencies).
// Any failure is printed on stderr with exit status 1, so a test can assert both directions.
//
// Usage: compose-validate -f compose.yaml [-env-file F]... [-e KEY=VALUE]... [-project-name N]
//
// The process environment is NOT read unless -os-env is given, so a test's result does not depend
// on whatever the test runner happens to export. Secret files need not exist, as with
// `docker compose config`: loading resolves their paths without reading them.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	var files, envFiles, env repeated
	flag.Var(&files, "f", "compose file (repeatable, later files override earlier ones)")
	flag.Var(&envFiles, "env-file", "env file for interpolation (repeatable); default: none, not even .env")
	flag.Var(&env, "e", "KEY=VALUE for interpolation (repeatable); wins over env files")
	name := flag.String("project-name", "ssohub", "compose project name")
	osEnv := flag.Bool("os-env", false, "also interpolate from the process environment, as docker compose does")
	flag.Parse()
	if len(files) == 0 {
		fail(fmt.Errorf("no compose file: pass -f compose.yaml"))
	}

	opts := []cli.ProjectOptionsFn{
		cli.WithName(*name),
		cli.WithWorkingDirectory(filepath.Dir(files[0])),
		cli.WithEnv(env),
	}
	if *osEnv {
		opts = append(opts, cli.WithOsEnv)
	}
	// An explicit empty list keeps compose-go from picking up a stray .env next to the file;
	// WithEnvFiles() with no argument would search for one.
	if len(envFiles) > 0 {
		opts = append(opts, cli.WithEnvFiles(envFiles...), cli.WithDotEnv)
	}
	opts = append(opts,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)

	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-validate: %v\n", err)
	os.Exit(1)
}
