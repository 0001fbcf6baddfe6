#!/usr/bin/python3
"""A real RTSP server for tests, benchmarks and demos (GStreamer's gst-rtsp-server).

Usage: rtsp-server.py --port 8554 [--address 127.0.0.1] [--auth USER:PASSWORD] /cam1=path/to/clip.mp4 [/cam2=other.mp4 ...]

Each mount serves an H.264 or H.265 MP4 over RTSP (TCP-interleaved or UDP, as the client asks); the codec is read
from the file, B-frames pass through as the file has them.
Prints "READY <port>" on stdout once listening, and "SESSION <mount>" each time a client starts a stream (so tests
can count the RTSP sessions a camera is asked for). Listens on loopback only unless --address says otherwise (test
clips need not be on the network). Run with Debian's /usr/bin/python3.
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstPbutils", "1.0")
from gi.repository import GLib, Gst, GstPbutils, GstRtspServer  # noqa: E402

# Video caps of the file -> its parser and RTP payloader.
PAYLOADERS = {"video/x-h264": "h264parse ! rtph264pay", "video/x-h265": "h265parse ! rtph265pay"}


def payloader(media: str) -> str:
    info = GstPbutils.Discoverer.new(10 * Gst.SECOND).discover_uri(Gst.filename_to_uri(os.path.abspath(media)))
    names = [s.get_caps().get_structure(0).get_name() for s in info.get_video_streams()]
    for name in names:
        if name in PAYLOADERS:
            return PAYLOADERS[name]
    raise ValueError(f"{media}: expected an H.264 or H.265 video stream, found {names or 'no video'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--auth", help="USER:PASSWORD required (HTTP basic), as cameras do")
    parser.add_argument("mounts", nargs="+", help="/path=file.mp4")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    permissions = None
    if args.auth:
        user, _, password = args.auth.partition(":")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role(user, "media.factory.access", True)
        permissions.add_permission_for_role(user, "media.factory.construct", True)
    for spec in args.mounts:
        path, _, media = spec.partition("=")
        if not path.startswith("/") or not os.path.isfile(media):
            print(f"bad mount {spec!r}: expected /path=existing-file.mp4", file=sys.stderr)
            return 2
        try:
            pay = payloader(media)
        except (ValueError, GLib.Error) as err:
            print(f"bad mount {spec!r}: {err}", file=sys.stderr)
            return 2
        factory = GstRtspServer.RTSPMediaFactory()
        # A fresh pipeline per client, so every viewer starts at the beginning of the clip.
        factory.set_launch(f'( filesrc location="{media}" ! qtdemux ! {pay} name=pay0 pt=96 config-interval=1 )')
        factory.set_shared(False)
        factory.connect("media-configure", lambda _f, _m, mount=path: print(f"SESSION {mount}", flush=True))
        if permissions is not None:
            factory.set_permissions(permissions)
        mounts.add_factory(path, factory)

    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", file=sys.stderr)
        return 1
    print(f"READY {server.get_bound_port()}", flush=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
