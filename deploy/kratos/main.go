// Command kratos is Ory Kratos v1.3.1, built from its Go module so SSO Hub can run the real
// server without Docker or a downloaded binary.
//
// It must stay a bare pass-through: Kratos re-executes its own binary (`kratos jsonnet -0`)
// to evaluate Jsonnet, speaking a null-separated protocol on stdin/stdout, so nothing here may
// print, read the environment or touch os.Args before cmd.Execute.
package main

import (
	"os"

	"github.com/ory/kratos/cmd"
)

func main() { os.Exit(cmd.Execute()) }
