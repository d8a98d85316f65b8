"""Live captions: a room's voices, heard as they speak, written under the video within seconds.

Janus forwards each publisher's audio over RTP to the caption worker (no browser in the path);
ffmpeg turns it into 16 kHz samples; a `CaptionStream` per voice reads the growing stretch of speech
again twice a second and settles the words two readings agree on; the worker sends the room a caption
update at most a few times a second and keeps every finished cue, for WebVTT after the engagement."""
