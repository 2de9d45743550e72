#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ampel_websocket::fuzzing::deflate(data));
