fn main() {
    for p in std::env::args().skip(1) {
        match isrc_stamp::audio::analyze(std::path::Path::new(&p)) {
            Ok(f) => println!("{p}: {} {:?} frames={} {} md5={} stored={:?} ok={:?}", f.codec, f.stream, f.frames, f.audio_id, isrc_stamp::audio::hex(&f.pcm_md5), f.stored_md5.map(|m| isrc_stamp::audio::hex(&m)), f.md5_ok()),
            Err(e) => println!("{p}: ERROR {e}"),
        }
    }
}
