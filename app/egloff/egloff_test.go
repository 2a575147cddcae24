//go:build linux && cgo

package egloff

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The choice of EGL drivers is made once per process, so each case runs in
// a child process of the test binary (TestMain, under egloffChild).
const egloffChild = "EGLOFF_TEST_CHILD"

const vendorVar = "__EGL_VENDOR_LIBRARY_FILENAMES"

func TestMain(m *testing.M) {
	switch os.Getenv(egloffChild) {
	case "":
		os.Exit(m.Run())
	case "disable":
		disabled := Disable()
		fmt.Printf("disabled=%v display=%v env=%v mesa=%v\n", disabled, displayAvailable(), cEnvHas(vendorVar), mesaMapped())
	case "control":
		fmt.Printf("display=%v mesa=%v\n", displayAvailable(), mesaMapped())
	case "after-use":
		first := displayAvailable()
		disabled := Disable()
		fmt.Printf("first=%v disabled=%v display=%v\n", first, disabled, displayAvailable())
	default:
		fmt.Println("unknown case")
	}
	os.Exit(0)
}

// mesaMapped reports whether Mesa's EGL driver or LLVM is mapped into
// this process.
func mesaMapped() bool {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		panic(err)
	}
	return strings.Contains(string(maps), "libEGL_mesa") || strings.Contains(string(maps), "libLLVM")
}

func child(t *testing.T, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), egloffChild+"="+name)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s: %v\n%s", name, err, out)
	}
	return strings.TrimSpace(string(out))
}

// requireMesa fails in CI and skips elsewhere when this machine's EGL has
// no driver to load: then there is nothing for Disable to save.
func requireMesa(t *testing.T) {
	t.Helper()
	if got := child(t, "control"); got != "display=true mesa=true" {
		msg := fmt.Sprintf("EGL gives no display here (%q): install libegl1 and libegl-mesa0 (make deps-test)", got)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func TestDisableLoadsNoDriver(t *testing.T) {
	requireMesa(t)
	// Disable reports success, EGL then has no display, Mesa and LLVM were
	// never loaded, and the variable is gone from the environment a child
	// process would inherit.
	want := "disabled=true display=false env=false mesa=false"
	if got := child(t, "disable"); got != want {
		t.Fatalf("Disable in a fresh process: got %q, want %q", got, want)
	}
}

func TestDisableLeavesTheUsersChoice(t *testing.T) {
	requireMesa(t)
	const mesa = "/usr/share/glvnd/egl_vendor.d/50_mesa.json"
	if _, err := os.Stat(mesa); err != nil {
		t.Fatalf("Mesa's vendor file: %v", err)
	}
	for _, v := range []string{vendorVar + "=" + mesa, "__EGL_VENDOR_LIBRARY_DIRS=/usr/share/glvnd/egl_vendor.d"} {
		if got, want := child(t, "disable", v), "disabled=false display=true env="; !strings.HasPrefix(got, want) {
			t.Errorf("with %s: got %q, want it to start %q", v, got, want)
		}
	}
}

func TestDisableAfterEGLIsInUse(t *testing.T) {
	requireMesa(t)
	// Too late: the drivers are chosen. Disable must say so and leave EGL
	// working.
	if got, want := child(t, "after-use"), "first=true disabled=false display=true"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
