fn main() {
    for p in std::env::args().skip(1) {
        match isrc_stamp::audio::analyze(std::path::Path::new(&p)) {
            Ok(f) => println!("{p}: {} {:?} frames={} {} md5={} stored={:?} ok={:?}", f.codec, f.stream, f.frames, f.audio_id, isrc_stamp::audio::hex(&f.pcm_md5), f.stored_md5.map(|m| isrc_stamp::audio::hex(&m)), f.md5_ok()),
            Err(e) => println!("{p}: ERROR {e}"),
        }
        match isrc_stamp::format::sniff(std::path::Path::new(&p)).map(|f| isrc_stamp::tags::read(std::path::Path::new(&p), f)) {
            Ok(Ok(r)) => println!("   tags: {:?} {:?} {:?}", r.isrcs.iter().map(|i| format!("{}={}", i.location, i.value)).collect::<Vec<_>>(), r.title, r.artist),
            Ok(Err(e)) => println!("   tags ERROR {e}"),
            Err(e) => println!("   sniff ERROR {e}"),
        }
    }
}
#[allow(dead_code)]
fn t() {}
