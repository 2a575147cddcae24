/* floor.c is the smallest WebKitGTK application that shows a page: one GTK
 * window, one web view with hardware acceleration off (as Lull sets it),
 * a few lines of HTML. scripts/pss.sh measures it beside Lull, so the memory
 * report separates what WebKitGTK costs on this machine from what Lull adds. */
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

int main(int argc, char **argv) {
  gtk_init(&argc, &argv);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(window), "floor");
  gtk_window_set_default_size(GTK_WINDOW(window), 1200, 780);
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  WebKitWebView *view = WEBKIT_WEB_VIEW(webkit_web_view_new());
  webkit_settings_set_hardware_acceleration_policy(webkit_web_view_get_settings(view),
                                                   WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
  gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(view));
  webkit_web_view_load_html(view,
      "<!doctype html><html><body style='font-family:sans-serif'>"
      "<h1>Inbox</h1><ul><li>one</li><li>two</li><li>three</li></ul></body></html>", NULL);
  gtk_widget_show_all(window);
  gtk_main();
  return 0;
}
