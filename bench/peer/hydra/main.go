// Command hydra is Ory Hydra v2.3.0, built from its Go module so `npm run bench:peer` can run
// the standard Ory OAuth2 server beside the hub without Docker or a downloaded binary.
// A bare pass-through, like deploy/kratos/main.go: Hydra's CLI owns os.Args and the exit code.
package main

import "github.com/ory/hydra/v2/cmd"

func main() { cmd.Execute() }
