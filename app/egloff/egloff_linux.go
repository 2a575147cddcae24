//go:build linux && cgo

package egloff

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void *(*egl_get_display_fn)(void *);

// egloff_get_display returns the process's default EGL display, or NULL,
// through libglvnd's libEGL.so.1 (already loaded by WebKitGTK in the
// window). *found is 0 when there is no libEGL.so.1.
static void *egloff_get_display(int *found) {
	void *lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
	egl_get_display_fn get = lib ? (egl_get_display_fn)dlsym(lib, "eglGetDisplay") : NULL;
	*found = get != NULL;
	return get ? get(NULL) : NULL;
}

// egloff_disable makes libglvnd choose its EGL vendors (drivers) while
// __EGL_VENDOR_LIBRARY_FILENAMES names none: it reads that list once, at
// its first call, and keeps it for the life of the process. The variable is
// unset again at once, so child processes start with the environment they
// would have had.
static int egloff_disable(void) {
	int found;
	void *display;
	if (getenv("__EGL_VENDOR_LIBRARY_FILENAMES") != NULL || getenv("__EGL_VENDOR_LIBRARY_DIRS") != NULL) {
		return 0; // the user chose EGL's drivers
	}
	if (setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/lull-no-egl-vendor.json", 1) != 0) {
		return 0;
	}
	display = egloff_get_display(&found);
	unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
	return found && display == NULL;
}
*/
import "C"

import "unsafe"

// Disable turns EGL off in this process and reports whether it is off: true
// when libglvnd's libEGL.so.1 is present and now has no driver to offer, so
// eglGetDisplay returns no display. It must run before anything in the
// process calls EGL (before GTK starts), while no other C thread reads the
// environment, since it sets and unsets a variable in C. It returns false,
// changing nothing, when the user set __EGL_VENDOR_LIBRARY_FILENAMES or
// __EGL_VENDOR_LIBRARY_DIRS, when there is no libEGL.so.1, or when EGL
// already chose its drivers.
func Disable() bool {
	return C.egloff_disable() != 0
}

// displayAvailable reports whether EGL gives this process a default
// display now.
func displayAvailable() bool {
	var found C.int
	return C.egloff_get_display(&found) != nil
}

// cEnvHas reports whether the C environment, the one child processes
// inherit through GLib, holds name.
func cEnvHas(name string) bool {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return C.getenv(cs) != nil
}
