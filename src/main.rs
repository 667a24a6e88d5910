use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let matches = isrc_stamp::cli::command().get_matches();
    let cli = isrc_stamp::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    // Colour is decided once, for stdout (a terminal, NO_COLOR, --color); tables colour
    // their words only then. Stdout itself stays raw: an export or a cue sheet written
    // there keeps every byte of a title, escape characters included.
    let choice = cli.common.color.choice();
    choice.write_global();
    let stdout = std::io::stdout();
    isrc_stamp::cli::colour_tables(matches!(
        anstream::AutoStream::choice(&stdout),
        anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
    ));
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = isrc_stamp::cli::run(cli, &mut out);
    let flushed = std::io::Write::flush(&mut out);
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error)
            if is_broken_pipe(&error)
                || flushed.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("isrc-stamp: {}", isrc_stamp::cli::error_message(&error));
            ExitCode::from(2)
        }
    }
}

/// Whether the error is stdout closing early (`| head`), which is not a failure.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
