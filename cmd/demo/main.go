package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage: demo [-debug] COMMAND [flags]
  demo list
  demo run NAME [-corpus FILE] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-plot FILE] [-report FILE] [-save FILE] [-distributed] [-checkpoint-every N] [-checkpoint FILE] [-resume FILE]
  demo csv -file F [-test F] [-target COL] [-task classification|regression] [-model mlp|widedeep|deepfm|dcn] [-categorical A,B] [-hidden 128,64] [-dropout F] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-plot FILE] [-report FILE] [-save FILE]
  demo predict -model FILE -csv FILE [-target COL] [-json]
  demo serve -model FILE | -models DIR [-versions latest|latest:N|all] [-poll 2s] [-addr 127.0.0.1:8080] [-max-body 1MB] [-workers N] [-max-batch N] [-linger D] [-shutdown-timeout D] [-max-in-flight N] [-max-tokens N] [-stats] [-token SECRET] [-keys FILE] [-tls-cert FILE -tls-key FILE] [-allow-unauthenticated]
  demo text -file F.csv -text COL -target COL [-test F] [-model cnn|lstm|transformer] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-save FILE]
  demo generate -model FILE [-prompt TEXT] [-tokens N] [-temperature F] [-top-k N] [-top-p F] [-seed N] [-json]
  demo explain -model FILE -out F.png [-data digits|mnist|fashion-mnist] [-index N] [-method saliency|smoothgrad|ig|occlusion|gradcam] [-layer NAME] [-json]
  demo attack -model F -data mnist|fashion-mnist|digits [-attack fgsm|pgd|pgd-l2|cw] [-eps 0.1] [-steps 20] [-n 1000] [-seed S] [-grid out.png] [-json]
  demo privacy [-n 60000] [-batch 256] [-noise 1.1] [-epochs 60] [-delta 1e-5] [-json]
  demo audit -model FILE -data digits|mnist|fashion-mnist|iris|wine|breast-cancer [-n 1000] [-json]
  demo listen -model FILE -wav FILE.wav [-beam N] [-json]
  demo import -torch F.pt|F.safetensors -arch resnet18|lstm-classifier|transformer-encoder -out FILE [-input-shape 224,224,3] [-steps N] [-heads N] [-json]
  demo export -model FILE -onnx OUT.onnx [-opset 17] [-json]
  demo help
"demo COMMAND -h" describes the flags of COMMAND; -debug adds to an error the
stack of calls where it arose.
`

// debugKey is the context key under which run records -debug.
type debugKey struct{}

// errorText formats err for a message on stderr: its text on one line or,
// when ctx comes from "demo -debug ...", followed by the stacks of calls that
// github.com/pkg/errors recorded where it arose and was wrapped (%+v).
func errorText(ctx context.Context, err error) string {
	if debug, _ := ctx.Value(debugKey{}).(bool); debug {
		return fmt.Sprintf("%+v", err)
	}
	return err.Error()
}

// run executes the command line args (without the program name), writing results
// to stdout and messages to stderr, and returns the exit status. An interrupt
// (Ctrl-C) or SIGTERM stops training, or shuts the server down, cleanly. A
// first argument -debug makes the commands print errors with their stacks of
// calls (see errorText).
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && (args[0] == "-debug" || args[0] == "--debug") {
		ctx, args = context.WithValue(ctx, debugKey{}, true), args[1:]
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, "demo: no command\n"+usage)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return listCmd(args[1:], stdout, stderr)
	case "run":
		return runCmd(ctx, args[1:], stdout, stderr)
	case "csv":
		return csvCmd(ctx, args[1:], stdout, stderr)
	case "predict":
		return predictCmd(ctx, args[1:], stdout, stderr)
	case "serve":
		return serveCmd(ctx, args[1:], stdout, stderr)
	case "text":
		return textCmd(ctx, args[1:], stdout, stderr)
	case "generate":
		return generateCmd(ctx, args[1:], stdout, stderr)
	case "explain":
		return explainCmd(ctx, args[1:], stdout, stderr)
	case "attack":
		return attackCmd(ctx, args[1:], stdout, stderr)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "privacy":
		return privacyCmd(ctx, args[1:], stdout, stderr)
	case "listen":
		return listenCmd(ctx, args[1:], stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "demo: unknown command %q\n%s", args[0], usage)
	return exitUsage
}
