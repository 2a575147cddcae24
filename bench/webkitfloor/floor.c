/* floor.c is the smallest WebKitGTK application that shows a page: one GTK
 * window, one web view with hardware acceleration off (as Lull sets it),
 * a few lines of HTML. scripts/pss.sh measures it beside Lull, so the memory
 * report separates what WebKitGTK costs on this machine from what Lull adds.
 *
 * With FLOOR_PAINT_PROBE set it is also the peer of scripts/startup.sh: the
 * page reports when its first frame is on screen (requestAnimationFrame,
 * then a task after that frame, as Lull's frontend does), and the program
 * prints that moment ("floor: painted at <unix ns>") and quits. It runs with
 * the same GDK_GL setting as Lull's window. */
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
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
    "</script></body></html>";

static void on_painted(WebKitUserContentManager *m, WebKitJavascriptResult *r, gpointer data) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("floor: painted at %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  fflush(stdout);
  gtk_main_quit();
}

int main(int argc, char **argv) {
  if (getenv("GDK_GL") == NULL) setenv("GDK_GL", "disable", 1); /* as Lull's window (memory.go) */
  gtk_init(&argc, &argv);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(window), "floor");
  gtk_window_set_default_size(GTK_WINDOW(window), 1200, 780);
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  WebKitUserContentManager *content = webkit_user_content_manager_new();
  if (getenv("FLOOR_PAINT_PROBE") != NULL) {
    g_signal_connect(content, "script-message-received::painted", G_CALLBACK(on_painted), NULL);
    webkit_user_content_manager_register_script_message_handler(content, "painted");
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
