package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCSVCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"csv", "-file", "testdata/iris.csv", "-target", "species", "-verbose", "0", "-json"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res struct {
		Model string             `json:"model"`
		Test  map[string]float64 `json:"test"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatal(err)
	}
	if res.Model != "csv" || res.Test["accuracy"] < 0.9 {
		t.Errorf("result %+v", res)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"csv"}, exitUsage, "usage"},
		{[]string{"csv", "-file", "testdata/iris.csv", "-hidden", "8,x"}, exitUsage, `"x" is not a positive width`},
		{[]string{"csv", "-file", "testdata/iris.csv", "-target", "colour"}, exitFailure, "colour"},
		{[]string{"csv", "-file", "testdata/iris.csv", "-task", "ranking"}, exitFailure, "ranking"},
		{[]string{"csv", "-file", "testdata/iris.csv", "-epochs", "-1"}, exitUsage, "must not be negative"},
	} {
		var o, e bytes.Buffer
		if c := run(tc.args, &o, &e); c != tc.code || !strings.Contains(e.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, c, e.String(), tc.code, tc.want)
		}
	}
}
