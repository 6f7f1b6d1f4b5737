"""copydesk's built-in plugins: readers, stages and exporters, written like third-party plugins."""
