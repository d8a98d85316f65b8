"""The app's side of the Janus media server: configuration, the supervised child process, the client."""
