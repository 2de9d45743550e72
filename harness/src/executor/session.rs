//! One case on one open connection. Three parts run at once so that a peer that does not
//! read can never stall the observer:
//!
//! * the reader task reads, runs the [`Observer`] and forwards what it saw as notices;
//! * the writer task owns the write half and writes queued commands in order (pongs and
//!   closes queue behind the frame being written, as they must);
//! * the controller (this module's [`Session`]) runs the steps, the timers and the close
//!   handshake, and records the observation.
//!
//! The connection flags follow Autobahn's engine (reference §4.3); every timer is scaled by
//! [`ExecConfig::timeout_scale`] and the case ends as soon as TCP is gone.
//!
//! Known, deliberate parity with Autobahn: a close written while a frame opened by
//! [`Step::BeginFrame`] is unfinished (6.4.3/6.4.4 when the peer fails fast) lands inside
//! that frame's declared payload, where the peer cannot see it (Autobahn issue #47). The
//! peer already failed the connection by then, so the verdicts do not depend on it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ampel_cases::{
    Case, Check, CloseBody, Delivery, EchoLog, EchoReply, EchoSource, EchoSpec, FrameSpec,
    MessageSpec, Observation, ObservedEvent, Payload, PeerViolation, Role, Secs, Step, TimerKind,
    WireEntry, opcode,
};
use tokio::io::{AsyncReadExt, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Compression, ExecConfig};
use crate::observer::{EchoQueue, Observer, Output};
use crate::wire::BoxedIo;
use crate::wire::deflate::Deflater;
use crate::wire::log::{SharedLog, head_hex};
use crate::wire::window_cache::{self, Group, WindowCache};
use crate::wire::writer::FrameWriter;

/// The RSV bit permessage-deflate sets on a compressed message's first frame.
const RSV1: u8 = 0b100;

/// Octets read per socket read.
const READ_BUF: usize = 64 * 1024;

/// What the writer task is asked to write.
#[derive(Debug)]
enum WriteCmd {
    Frame(FrameSpec, Delivery),
    Message(MessageSpec, Delivery),
    /// A message whose payload is already compressed: RSV1 goes on its first frame.
    Compressed(MessageSpec),
    Raw(Payload, Delivery),
    Begin(FrameSpec),
    Data(Payload),
    /// Flush and end (the write half is dropped).
    Finish,
}

/// What the reader task reports.
#[derive(Debug)]
enum Notice {
    Seen(Output),
    /// The peer closed TCP, or reading failed.
    Gone(Option<String>),
}

/// A scheduled timer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Timer {
    Kill,
    CloseAfter,
    CloseHandshake,
    ServerDrop,
    Cap,
}

/// What [`Session::pump`] waits for, besides its deadline and the end of TCP.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Nothing: wait out the deadline.
    Nothing,
    /// The connection leaves OPEN.
    NotOpen,
    /// An echo reply in the inbox.
    Echo,
}

/// An echo reply waiting to be consumed by an echo step.
#[derive(Debug)]
struct Reply {
    binary: bool,
    len: usize,
    sha1: String,
    at: Instant,
}

/// The controller of one case's connection.
pub(super) struct Session<'a> {
    case: &'a Case,
    scale: f64,
    role: Role,
    obs: Observation,
    log: SharedLog,
    commands: mpsc::UnboundedSender<WriteCmd>,
    notices: mpsc::UnboundedReceiver<Notice>,
    writer: Option<JoinHandle<()>>,
    reader: Option<JoinHandle<()>>,
    /// permessage-deflate was negotiated: compresses the echo requests.
    deflater: Option<Deflater>,
    /// The corpus windows the case sends, for the run-wide cache of their compressed forms.
    windows: Option<Group>,
    timers: Vec<(Instant, Timer, f64)>,
    /// Section 9: messages are echo replies, not events.
    bulk: bool,
    /// What the echo replies should be, shared with the observer (bulk cases).
    echoes: EchoQueue,
    inbox: VecDeque<Reply>,
    sent_close: bool,
    got_close: bool,
    gone: bool,
    opened: Instant,
    last_send: Instant,
}

impl<'a> Session<'a> {
    /// Starts the reader and writer tasks on an open connection. `leftover` holds octets
    /// read together with the opening handshake.
    pub(super) fn start(
        io: BoxedIo,
        leftover: Vec<u8>,
        case: &'a Case,
        cfg: &ExecConfig,
        obs: Observation,
        compression: Option<Compression>,
    ) -> Self {
        let role = obs.harness_role;
        let bulk = matches!(
            case.expect.check,
            Check::Echo { .. } | Check::WindowEcho { .. }
        );
        let (deflater, inflater) = match compression {
            Some(c) => (Some(c.deflater), Some(c.inflater)),
            None => (None, None),
        };
        let log = SharedLog::new(cfg.max_wire_rows, bulk);
        let (read_half, write_half) = tokio::io::split(io);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (note_tx, note_rx) = mpsc::unbounded_channel();
        let writer = FrameWriter::new(write_half, role, log.clone());
        let writer = tokio::spawn(write_loop(writer, cmd_rx));
        let echoes = EchoQueue::default();
        let mut observer = Observer::new(role).inflating(inflater);
        if bulk {
            observer = observer.expecting(echoes.clone());
        }
        let reader = tokio::spawn(read_loop(
            read_half,
            observer,
            log.clone(),
            note_tx,
            leftover,
        ));
        let now = Instant::now();
        Self {
            case,
            scale: cfg.timeout_scale,
            role,
            obs,
            log,
            commands: cmd_tx,
            notices: note_rx,
            writer: Some(writer),
            reader: Some(reader),
            deflater,
            windows: window_cache::group_of(case),
            timers: Vec::new(),
            bulk,
            echoes,
            inbox: VecDeque::new(),
            sent_close: false,
            got_close: false,
            gone: false,
            opened: now,
            last_send: now,
        }
    }

    /// Runs the case to the end of TCP and returns the observation.
    pub(super) async fn run(mut self) -> Observation {
        let cap = self.cap();
        self.schedule(Timer::Cap, cap);
        let case = self.case;
        if case.required_feature.is_some() && self.deflater.is_none() {
            // UNIMPLEMENTED: nothing to test, so close normally at once.
            self.send_close(&CloseBody::code(1000));
        }
        for step in &case.steps {
            if self.gone {
                break;
            }
            if !self.step(step).await {
                break;
            }
        }
        // Steps done (or skipped): the timers decide the rest.
        while !self.gone {
            self.pump(None, Want::Nothing).await;
        }
        let parts = self.log.take();
        self.obs.wire_log = parts.rows;
        self.obs.tx_frame_counts = parts.tx_counts;
        self.obs.rx_frame_counts = parts.rx_counts;
        if self.deflater.is_some() {
            self.obs.compression = Some(parts.compression);
        }
        self.obs.duration_ms = self.opened.elapsed().as_secs_f64() * 1000.0;
        self.obs
    }

    fn is_open(&self) -> bool {
        !self.sent_close && !self.got_close && !self.gone
    }

    fn secs(&self, secs: Secs) -> Duration {
        secs.scaled(self.scale)
    }

    /// An upper bound on the case's run time from its own timers, so nothing ever hangs.
    fn cap(&self) -> Secs {
        let mut total = 0.0f64;
        let mut longest_timer = 0.0f64;
        for step in &self.case.steps {
            match step {
                Step::Wait { secs, .. } => total += secs.0,
                Step::KillAfter { secs } | Step::CloseAfter { secs } => {
                    longest_timer = longest_timer.max(secs.0);
                }
                Step::AwaitEcho { timeout, .. } | Step::EchoLoop { timeout, .. } => {
                    total += timeout.0;
                }
                _ => {}
            }
        }
        let t = &self.case.timers;
        Secs(total + longest_timer + t.close_handshake.0 + t.server_drop.0 + 2.0)
    }

    fn schedule(&mut self, timer: Timer, secs: Secs) {
        let delay = self.secs(secs);
        self.timers.push((Instant::now() + delay, timer, secs.0));
        if let Some(kind) = timer_kind(timer) {
            self.log.lock().event(|at_ms| WireEntry::Timer {
                at_ms,
                kind,
                fired: false,
                secs: secs.0,
                tag: None,
            });
        }
    }

    fn cancel(&mut self, timer: Timer) {
        self.timers.retain(|(_, t, _)| *t != timer);
    }

    fn command(&mut self, cmd: WriteCmd) {
        // A send error means the writer ended (the socket failed); the reader reports it.
        let _ = self.commands.send(cmd);
    }

    /// Runs one step; `false` when the remaining steps are to be skipped.
    async fn step(&mut self, step: &Step) -> bool {
        match step {
            Step::Frame { frame, delivery } => {
                self.last_send = Instant::now();
                self.command(WriteCmd::Frame(frame.clone(), *delivery));
            }
            Step::Message { message, delivery } => {
                self.last_send = Instant::now();
                self.command(WriteCmd::Message(message.clone(), *delivery));
            }
            Step::Deflated { message } => return self.send_data(message),
            Step::Raw { bytes, delivery } => {
                self.command(WriteCmd::Raw(bytes.clone(), *delivery));
            }
            Step::BeginFrame { frame } => self.command(WriteCmd::Begin(frame.clone())),
            Step::FrameData { data } => self.command(WriteCmd::Data(data.clone())),
            Step::Close { body } if self.is_open() => self.send_close(body),
            // A close step while closing is ignored, as Autobahn's sendClose does.
            Step::Close { .. } => {}
            Step::Wait { secs, tag } => {
                let until = Instant::now() + self.secs(*secs);
                self.log.lock().event(|at_ms| WireEntry::Timer {
                    at_ms,
                    kind: TimerKind::Wait,
                    fired: false,
                    secs: secs.0,
                    tag: tag.clone(),
                });
                // Leaving OPEN ends the wait early: the remaining steps would be skipped.
                self.pump(Some(until), Want::NotOpen).await;
                if !self.is_open() {
                    return false;
                }
                self.log.lock().event(|at_ms| WireEntry::Timer {
                    at_ms,
                    kind: TimerKind::Wait,
                    fired: true,
                    secs: secs.0,
                    tag: tag.clone(),
                });
                if let Some(tag) = tag {
                    self.obs.events.push(ObservedEvent::timeout(tag));
                }
            }
            Step::KillAfter { secs } => self.schedule(Timer::Kill, *secs),
            Step::CloseAfter { secs } => self.schedule(Timer::CloseAfter, *secs),
            // The judge compares the reply with the step's spec.
            Step::AwaitEcho { timeout, .. } => self.await_echo(*timeout).await,
            Step::EchoLoop {
                source,
                count,
                timeout,
            } => {
                let started = Instant::now();
                let deadline = started + self.secs(*timeout);
                self.echo_timer(*timeout, false);
                let mut timed_out = false;
                // A fixed message's expected echo is built, and hashed, once for the loop.
                let fixed = match source {
                    EchoSource::Fixed(m) => Some(EchoSpec::of(m)),
                    _ => None,
                };
                for index in 0..*count {
                    if !self.is_open() {
                        break;
                    }
                    let message = source.message(index);
                    let per_message;
                    let spec = match (source, &fixed) {
                        (EchoSource::Windows(w), _) => w.expected(index),
                        (_, Some(fixed)) => Some(fixed),
                        _ => {
                            per_message = EchoSpec::of(&message);
                            Some(&per_message)
                        }
                    };
                    if let Some(spec) = spec {
                        // Hash the expected content once, in the shared spec, not per copy.
                        let _ = spec.sha1();
                        self.echoes.push(spec.clone());
                    }
                    if !self.send_data(&message) {
                        break;
                    }
                    if !self.next_echo(deadline).await {
                        timed_out = !self.gone;
                        break;
                    }
                    if !spec.is_some_and(|spec| self.last_matches(spec)) {
                        // Stop at the first mismatch; the judge reports it.
                        break;
                    }
                }
                self.end_echo(started, timed_out, *timeout);
            }
            // Steps added to the model later are not known to this harness version.
            _ => {}
        }
        true
    }

    /// Sends a data message, compressed when permessage-deflate is in effect; `false` when it
    /// could not be compressed (the harness then fails the connection with 1011).
    fn send_data(&mut self, message: &MessageSpec) -> bool {
        match self.compress(message) {
            Ok(command) => {
                self.last_send = Instant::now();
                self.command(command);
                true
            }
            Err(e) => {
                self.fail(1011, &format!("the harness could not compress: {e}"));
                false
            }
        }
    }

    /// The write command for a data message: compressed (RSV1 on its first frame, fragmented
    /// after compression) when permessage-deflate is in effect, else as it is.
    fn compress(&mut self, message: &MessageSpec) -> Result<WriteCmd, String> {
        let Some(deflater) = self.deflater.as_mut() else {
            return Ok(WriteCmd::Message(message.clone(), Delivery::PLAIN));
        };
        let packed = WindowCache::global().compress(deflater, &message.payload, self.windows)?;
        self.log
            .lock()
            .count_compressed_tx(message.payload.len() as u64, packed.len() as u64);
        let compressed = MessageSpec {
            binary: message.binary,
            payload: Payload::Bytes(packed),
            fragmentation: message.fragmentation,
        };
        Ok(WriteCmd::Compressed(compressed))
    }

    fn echo_timer(&mut self, timeout: Secs, fired: bool) {
        self.log.lock().event(|at_ms| WireEntry::Timer {
            at_ms,
            kind: TimerKind::Echo,
            fired,
            secs: timeout.0,
            tag: None,
        });
    }

    async fn await_echo(&mut self, timeout: Secs) {
        let started = self.last_send;
        let deadline = Instant::now() + self.secs(timeout);
        self.echo_timer(timeout, false);
        let got = self.next_echo(deadline).await;
        let timed_out = !got && !self.gone;
        self.end_echo(started, timed_out, timeout);
    }

    /// Waits for the next echo reply and logs it; `false` when none arrived in time.
    async fn next_echo(&mut self, deadline: Instant) -> bool {
        self.pump(Some(deadline), Want::Echo).await;
        let Some(reply) = self.inbox.pop_front() else {
            return false;
        };
        let elapsed_ms = reply
            .at
            .saturating_duration_since(self.last_send)
            .as_secs_f64()
            * 1000.0;
        self.obs
            .echo
            .get_or_insert_with(EchoLog::default)
            .replies
            .push(EchoReply {
                binary: reply.binary,
                len: reply.len,
                sha1: reply.sha1,
                elapsed_ms,
            });
        true
    }

    fn last_matches(&self, spec: &EchoSpec) -> bool {
        self.obs
            .echo
            .as_ref()
            .and_then(|log| log.replies.last())
            .is_some_and(|r| spec.check(r.binary, r.len, &r.sha1).is_ok())
    }

    /// Ends an echo step: the log's totals, then close 1000, or an empty close on timeout.
    fn end_echo(&mut self, started: Instant, timed_out: bool, timeout: Secs) {
        let log = self.obs.echo.get_or_insert_with(EchoLog::default);
        log.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        log.timed_out |= timed_out;
        if timed_out {
            self.echo_timer(timeout, true);
        }
        if self.is_open() {
            let body = if timed_out {
                CloseBody::empty()
            } else {
                CloseBody::code(1000)
            };
            self.send_close(&body);
        }
    }

    /// Sends a close frame of the harness's own initiative or as the reply to the peer's.
    fn send_close(&mut self, body: &CloseBody) {
        let frame = FrameSpec::new(true, opcode::CLOSE, Payload::bytes_of(body.to_bytes()));
        self.command(WriteCmd::Frame(frame, Delivery::PLAIN));
        self.sent_close = true;
        self.obs.connection.local_close_code = body.code;
        let reason = body.reason.bytes();
        self.obs.connection.local_close_reason =
            (!reason.is_empty()).then(|| String::from_utf8_lossy(&reason).into_owned());
        if !self.got_close {
            self.obs.connection.closed_by_me = true;
            let limit = self.case.timers.close_handshake;
            self.schedule(Timer::CloseHandshake, limit);
        }
    }

    /// Fails the connection: a close with `code` (the harness never fails by dropping).
    fn fail(&mut self, code: u16, reason: &str) {
        self.obs.connection.failed_by_me = true;
        self.send_close(&CloseBody::with_reason(code, Payload::text(reason)));
    }

    /// Processes notices and timers until `until`, until `want` holds, or until TCP is gone.
    async fn pump(&mut self, until: Option<Instant>, want: Want) {
        loop {
            if self.gone || self.wanted(want) {
                return;
            }
            let now = Instant::now();
            if until.is_some_and(|u| u <= now) {
                return;
            }
            if let Some(index) = self.due_timer(now) {
                let (_, timer, secs) = self.timers.swap_remove(index);
                self.on_timer(timer, secs).await;
                continue;
            }
            let next_timer = self.timers.iter().map(|(at, _, _)| *at).min();
            let wake = match (until, next_timer) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                // Unreachable in practice: the cap timer stays scheduled until TCP is gone.
                (None, None) => now + Duration::from_secs(1),
            };
            tokio::select! {
                biased;
                notice = self.notices.recv() => match notice {
                    Some(n) => self.on_notice(n).await,
                    None => self.on_gone(Some("the reader stopped".into())).await,
                },
                () = tokio::time::sleep_until(wake.into()) => {}
            }
        }
    }

    fn wanted(&self, want: Want) -> bool {
        match want {
            Want::Nothing => false,
            Want::NotOpen => !self.is_open(),
            Want::Echo => !self.inbox.is_empty(),
        }
    }

    fn due_timer(&self, now: Instant) -> Option<usize> {
        self.timers
            .iter()
            .enumerate()
            .filter(|(_, (at, _, _))| *at <= now)
            .min_by_key(|(_, (at, _, _))| *at)
            .map(|(i, _)| i)
    }

    async fn on_notice(&mut self, notice: Notice) {
        match notice {
            Notice::Gone(error) => self.on_gone(error).await,
            Notice::Seen(Output::Event(event)) => {
                if self.bulk {
                    if let ObservedEvent::Message {
                        binary, len, sha1, ..
                    } = event
                    {
                        self.inbox.push_back(Reply {
                            binary,
                            len,
                            sha1,
                            at: Instant::now(),
                        });
                        return;
                    }
                }
                self.obs.events.push(event);
                if let Some(code) = self.case.expect.auto_close_due(&self.obs.events) {
                    if self.is_open() {
                        self.send_close(&CloseBody::code(code));
                    }
                }
            }
            Notice::Seen(Output::Ping(payload)) => {
                // A ping after either close is not answered (RFC 6455 §5.5.1).
                if !self.sent_close && !self.got_close && !self.gone {
                    let pong = FrameSpec::new(true, opcode::PONG, Payload::bytes_of(payload));
                    self.command(WriteCmd::Frame(pong, Delivery::PLAIN));
                }
            }
            Notice::Seen(Output::Violation {
                violation,
                close_code,
            }) => {
                self.obs.peer_violations.push(violation.clone());
                if self.is_open() {
                    self.fail(close_code, failure_reason(&violation));
                }
            }
            Notice::Seen(Output::Close { code, reason }) => {
                self.got_close = true;
                self.obs.connection.remote_close_code = code;
                self.obs.connection.remote_close_reason = reason;
                self.cancel(Timer::CloseHandshake);
                if !self.sent_close {
                    // Autobahn answers with 1000 rather than echoing the peer's code.
                    self.send_close(&CloseBody::code(1000));
                }
                match self.role {
                    // The server ends TCP right after the close handshake.
                    Role::Server => self.drop_tcp(None).await,
                    Role::Client => {
                        let limit = self.case.timers.server_drop;
                        self.schedule(Timer::ServerDrop, limit);
                    }
                }
            }
        }
    }

    async fn on_timer(&mut self, timer: Timer, secs: f64) {
        if let Some(kind) = timer_kind(timer) {
            self.log.lock().event(|at_ms| WireEntry::Timer {
                at_ms,
                kind,
                fired: true,
                secs,
                tag: None,
            });
        }
        match timer {
            Timer::Kill => {
                if self.is_open() {
                    self.fail(1001, "Going Away");
                } else {
                    // Killing fails the connection, so it is never clean (Autobahn §4.3): either
                    // the close handshake was unfinished, or it was done and the server had
                    // still not dropped TCP.
                    let reason = if self.got_close {
                        "the kill timer dropped the connection: the server had not dropped TCP \
                         after the close handshake"
                    } else {
                        "the kill timer dropped the connection during the close handshake"
                    };
                    self.drop_tcp(Some(reason.to_owned())).await;
                }
            }
            Timer::CloseAfter => {
                if self.is_open() {
                    self.send_close(&CloseBody::empty());
                }
            }
            Timer::CloseHandshake => {
                if !self.got_close {
                    self.obs.connection.was_close_handshake_timeout = true;
                    let why = format!("the peer did not answer the close within {secs} s");
                    self.drop_tcp(Some(why)).await;
                }
            }
            Timer::ServerDrop => {
                self.obs.connection.was_server_connection_drop_timeout = true;
                let why =
                    format!("the server did not drop TCP within {secs} s of the close handshake");
                self.drop_tcp(Some(why)).await;
            }
            Timer::Cap => {
                let why = format!("the case time limit of {secs} s was reached");
                self.drop_tcp(Some(why)).await;
            }
        }
    }

    /// The peer ended TCP (or reading failed).
    async fn on_gone(&mut self, error: Option<String>) {
        if self.gone {
            return;
        }
        self.gone = true;
        self.log.lock().event(|at_ms| WireEntry::TcpDropped {
            at_ms,
            by_me: false,
        });
        let flags = &mut self.obs.connection;
        if self.sent_close && self.got_close {
            if !flags.was_server_connection_drop_timeout {
                flags.was_clean = true;
            }
        } else {
            flags.was_clean = false;
            let what = error.map_or_else(|| "closed".to_owned(), |e| format!("failed ({e})"));
            flags.was_not_clean_reason = Some(if self.sent_close {
                format!("the peer's TCP connection {what} before it answered the close")
            } else {
                format!("the peer's TCP connection {what} without a close handshake")
            });
        }
        self.stop_tasks(Duration::ZERO).await;
    }

    /// The harness ends TCP; `unclean` says why the close is not clean (None keeps the
    /// close clean if both close frames were exchanged).
    async fn drop_tcp(&mut self, unclean: Option<String>) {
        if self.gone {
            return;
        }
        self.gone = true;
        self.log
            .lock()
            .event(|at_ms| WireEntry::TcpDropped { at_ms, by_me: true });
        let flags = &mut self.obs.connection;
        flags.dropped_by_me = true;
        match unclean {
            Some(why) => {
                flags.was_clean = false;
                flags.was_not_clean_reason = Some(why);
            }
            None => flags.was_clean = self.sent_close && self.got_close,
        }
        // Let queued octets (e.g. the close reply) go out first, briefly.
        let grace = self
            .secs(self.case.timers.close_handshake)
            .min(Duration::from_secs(1));
        self.stop_tasks(grace).await;
    }

    async fn stop_tasks(&mut self, grace: Duration) {
        self.command(WriteCmd::Finish);
        if let Some(mut writer) = self.writer.take() {
            if tokio::time::timeout(grace, &mut writer).await.is_err() {
                writer.abort();
                let _ = writer.await;
            }
        }
        if let Some(reader) = self.reader.take() {
            reader.abort();
            let _ = reader.await;
        }
    }
}

/// The reason sent in the harness's close when it fails the connection (short: a close
/// body is at most 125 octets).
fn failure_reason(violation: &PeerViolation) -> &'static str {
    match violation {
        PeerViolation::MaskedServerFrame => "masked frame from a server",
        PeerViolation::UnmaskedClientFrame => "unmasked frame from a client",
        PeerViolation::ReservedBits { .. } => "RSV bits set where no extension gives them meaning",
        PeerViolation::ReservedOpcode { .. } => "reserved opcode",
        PeerViolation::FragmentedControl { .. } => "fragmented control frame",
        PeerViolation::ControlTooLong { .. } => "control frame payload over 125 octets",
        PeerViolation::BadContinuation => "bad continuation sequence",
        PeerViolation::NonMinimalLength => "payload length not minimally encoded",
        PeerViolation::LengthTopBit => "64-bit payload length with the top bit set",
        PeerViolation::InvalidUtf8Text => "text message is not valid UTF-8",
        PeerViolation::CloseBodyOneByte => "close frame with a 1-octet body",
        PeerViolation::BadCloseCode { .. } => "close code not allowed on the wire",
        PeerViolation::CloseReasonNotUtf8 => "close reason is not valid UTF-8",
        PeerViolation::CorruptCompressedData { .. } => "compressed message does not inflate",
        _ => "protocol violation",
    }
}

fn timer_kind(timer: Timer) -> Option<TimerKind> {
    match timer {
        Timer::Kill => Some(TimerKind::Kill),
        Timer::CloseAfter => Some(TimerKind::CloseAfter),
        Timer::CloseHandshake => Some(TimerKind::CloseHandshake),
        Timer::ServerDrop => Some(TimerKind::ServerDrop),
        Timer::Cap => None,
    }
}

async fn write_message(
    writer: &mut FrameWriter<WriteHalf<BoxedIo>>,
    message: &MessageSpec,
    delivery: Delivery,
    compressed: bool,
) -> std::io::Result<()> {
    for (index, mut frame) in message.frames().enumerate() {
        if compressed && index == 0 {
            frame.rsv |= RSV1;
        }
        writer.frame(&frame, delivery).await?;
    }
    Ok(())
}

async fn write_loop(
    mut writer: FrameWriter<WriteHalf<BoxedIo>>,
    mut commands: mpsc::UnboundedReceiver<WriteCmd>,
) {
    while let Some(cmd) = commands.recv().await {
        let result = match cmd {
            WriteCmd::Frame(frame, delivery) => writer.frame(&frame, delivery).await,
            WriteCmd::Message(message, delivery) => {
                write_message(&mut writer, &message, delivery, false).await
            }
            WriteCmd::Compressed(message) => {
                write_message(&mut writer, &message, Delivery::PLAIN, true).await
            }
            WriteCmd::Raw(bytes, delivery) => writer.raw(&bytes, delivery).await,
            WriteCmd::Begin(frame) => writer.begin_frame(&frame).await,
            WriteCmd::Data(data) => writer.frame_data(&data).await,
            WriteCmd::Finish => {
                let _ = writer.flush().await;
                return;
            }
        };
        // Batch what is queued; flush when the queue runs dry.
        let result = match result {
            Ok(()) if commands.is_empty() => writer.flush().await,
            other => other,
        };
        if result.is_err() {
            // The peer is gone; the reader reports it.
            return;
        }
    }
}

async fn read_loop(
    mut io: ReadHalf<BoxedIo>,
    mut observer: Observer,
    log: SharedLog,
    notices: mpsc::UnboundedSender<Notice>,
    mut leftover: Vec<u8>,
) {
    let mut out = Vec::new();
    if !leftover.is_empty() {
        observe(&mut observer, &mut leftover, &log, &mut out);
        for o in out.drain(..) {
            let _ = notices.send(Notice::Seen(o));
        }
    }
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match io.read(&mut buf).await {
            Ok(0) => {
                let _ = notices.send(Notice::Gone(None));
                return;
            }
            Ok(n) => {
                let data = buf.get_mut(..n).unwrap_or_default();
                observe(&mut observer, data, &log, &mut out);
                for o in out.drain(..) {
                    let _ = notices.send(Notice::Seen(o));
                }
            }
            Err(e) => {
                let _ = notices.send(Notice::Gone(Some(e.to_string())));
                return;
            }
        }
    }
}

fn observe(observer: &mut Observer, data: &mut [u8], log: &SharedLog, out: &mut Vec<Output>) {
    let mut log = log.lock();
    log.traffic(|at_ms| WireEntry::RxOctets {
        at_ms,
        len: data.len(),
        head_hex: head_hex(data),
    });
    observer.feed(data, &mut log, out);
}
