/* floor.c is the smallest WebKitGTK application that shows a page: one GTK
 * window, one web view with hardware acceleration off (as Lull sets it),
 * a few lines of HTML. scripts/pss.sh measures it beside Lull, so the memory
 * report separates what WebKitGTK costs on this machine from what Lull adds.
 *
 * With FLOOR_PAINT_PROBE set it is also the peer of scripts/startup.sh: the
 * page reports when its first frame is on screen (requestAnimationFrame,
 * then a task after that frame, as Lull's frontend does), and the program
 * prints that moment ("floor: painted at <unix ns>") and quits. It runs with
 * the same GDK_GL setting as Lull's window.
 *
 * Like Lull's window (app/egloff), its own process loads no EGL driver when
 * GDK's GL is off: libglvnd chooses its vendors once, at the first EGL
 * call, so that call is made while __EGL_VENDOR_LIBRARY_FILENAMES names
 * none, and the variable is unset before WebKit starts its web process,
 * which needs EGL. FLOOR_KEEP_EGL leaves EGL as WebKitGTK uses it by
 * default, for comparison.
 *
 * With FLOOR_KEY_PROBE set it is the peer of scripts/keys-webkit.sh: a list
 * of 20 rows (short enough that the page has no scrollbar) where j and k
 * move the selection, G goes to the last row and e takes the selected row
 * out (a new one joins at the end). Each key is timed
 * as Lull's key probe times it (frontend/src/lib/keyprobe.ts): from the
 * keydown's timeStamp to a task after the next frame ("floor: key j 3.2 ms").
 * It prints "floor: ready" once its first frame is painted. */
#include <dlfcn.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <webkit2/webkit2.h>

static const char *page =
    "<!doctype html><html><body style='font-family:sans-serif'>"
    "<h1>Inbox</h1><ul><li>one</li><li>two</li><li>three</li></ul>"
    "<script>"
    "if (window.webkit && window.webkit.messageHandlers.painted) {"
    "  requestAnimationFrame(() => {"
    "    const ch = new MessageChannel();"
    "    ch.port1.onmessage = () => window.webkit.messageHandlers.painted.postMessage(0);"
    "    ch.port2.postMessage(0);"
    "  });"
    "}"
    "if (window.webkit && window.webkit.messageHandlers.key) {"
    "  const list = document.querySelector('ul');"
    "  for (let i = 4; i <= 20; i++) { const li = document.createElement('li'); li.textContent = 'row ' + i; list.append(li); }"
    "  let sel = 0, made = 20;"
    "  const rows = () => list.children;"
    "  const show = () => { for (const r of rows()) r.className = ''; rows()[sel].className = 'sel'; };"
    "  show();"
    "  addEventListener('keydown', (e) => {"
    "    const now = performance.now();"
    "    const t0 = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;"
    "    const n = rows().length;"
    "    if (e.key === 'j') sel = (sel + 1) % n;"
    "    else if (e.key === 'k') sel = (sel + n - 1) % n;"
    "    else if (e.key === 'G') sel = n - 1;"
    "    else if (e.key === 'e') { rows()[sel].remove(); const li = document.createElement('li'); li.textContent = 'row ' + ++made; list.append(li); }"
    "    else return;"
    "    show();"
    "    requestAnimationFrame(() => {"
    "      const ch = new MessageChannel();"
    "      ch.port1.onmessage = () => window.webkit.messageHandlers.key.postMessage(e.key + ' ' + (performance.now() - t0).toFixed(3));"
    "      ch.port2.postMessage(0);"
    "    });"
    "  });"
    "}"
    "</script><style>li { padding: 6px } .sel { background: #dde }</style></body></html>";

static void on_key(WebKitUserContentManager *m, WebKitJavascriptResult *r, gpointer data) {
  char *s = jsc_value_to_string(webkit_javascript_result_get_js_value(r));
  printf("floor: key %s ms\n", s);
  fflush(stdout);
  g_free(s);
}

static void on_painted(WebKitUserContentManager *m, WebKitJavascriptResult *r, gpointer data) {
  if (getenv("FLOOR_KEY_PROBE") != NULL) {
    printf("floor: ready\n");
    fflush(stdout);
    return;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("floor: painted at %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  fflush(stdout);
  gtk_main_quit();
}

/* egl_off is app/egloff's Disable. */
static void egl_off(void) {
  if (getenv("__EGL_VENDOR_LIBRARY_FILENAMES") != NULL || getenv("__EGL_VENDOR_LIBRARY_DIRS") != NULL) return;
  void *lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
  void *(*get_display)(void *) = lib ? (void *(*)(void *))dlsym(lib, "eglGetDisplay") : NULL;
  if (get_display == NULL) return;
  setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/lull-no-egl-vendor.json", 1);
  get_display(NULL);
  unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
}

int main(int argc, char **argv) {
  if (getenv("GDK_GL") == NULL) setenv("GDK_GL", "disable", 1); /* as Lull's window (memory.go) */
  if (strcmp(getenv("GDK_GL"), "disable") == 0 && getenv("FLOOR_KEEP_EGL") == NULL) egl_off();
  gtk_init(&argc, &argv);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(window), "floor");
  gtk_window_set_default_size(GTK_WINDOW(window), 1200, 780);
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  WebKitUserContentManager *content = webkit_user_content_manager_new();
  if (getenv("FLOOR_PAINT_PROBE") != NULL || getenv("FLOOR_KEY_PROBE") != NULL) {
    g_signal_connect(content, "script-message-received::painted", G_CALLBACK(on_painted), NULL);
    webkit_user_content_manager_register_script_message_handler(content, "painted");
  }
  if (getenv("FLOOR_KEY_PROBE") != NULL) {
    g_signal_connect(content, "script-message-received::key", G_CALLBACK(on_key), NULL);
    webkit_user_content_manager_register_script_message_handler(content, "key");
  }
  WebKitWebView *view = WEBKIT_WEB_VIEW(webkit_web_view_new_with_user_content_manager(content));
  webkit_settings_set_hardware_acceleration_policy(webkit_web_view_get_settings(view),
                                                   WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
  gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(view));
  webkit_web_view_load_html(view, page, NULL);
  gtk_widget_show_all(window);
  gtk_main();
  return 0;
}
