#include "server/log_writer.h"

#include <cassert>

namespace etcetera::server {

LogWriter::LogWriter(DurableStorage& disk) : disk_(disk), thread_([this] { loop(); }) {}

LogWriter::~LogWriter() {
  stop();
}

void LogWriter::sync(Done done) {
  {
    std::lock_guard lock(mu_);
    assert(!job_ && "one sync at a time: raft hands out one Ready before advance()");
    job_ = std::move(done);
  }
  wake_.notify_one();
}

void LogWriter::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LogWriter::loop() {
  for (;;) {
    Done done;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return job_.has_value() || stopping_; });
      // A sync asked for before stop() still runs: what it covers may have
      // been promised to nobody yet, but the final sync would do it anyway.
      if (!job_) return;
      done = std::move(*job_);
      job_.reset();
    }
    const auto started = Clock::now();
    auto result = disk_.sync();
    done(std::move(result), Clock::now() - started);
  }
}

}  // namespace etcetera::server
