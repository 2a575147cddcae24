// Package egloff keeps a process from loading an EGL driver it will never
// use.
//
// WebKitGTK opens an EGL display in the UI process when it makes a web view,
// even when the view paints without the GPU. On Linux that loads Mesa's
// driver and, through it, LLVM: about 20 MB of memory (relocated pages that
// are private to the process) and tens of milliseconds of start-up CPU in
// the dynamic linker on this project's machines (docs/BENCHMARKS.md). Lull's
// window paints in software, so its UI process needs none of it. The web
// process does (WebKit aborts it without an EGL display), and it is a child
// process: Disable leaves the environment as it found it.
package egloff
