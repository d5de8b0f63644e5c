// The record framing: each way a buffer can end, and which damage counts as
// a torn tail (repairable) and which as corruption (not).
#include "server/disk/record_io.h"

#include <catch2/catch.hpp>
#include <string>

namespace etcetera::server {
namespace {

using Kind = RecordRead::Kind;

std::string three_records() {
  std::string out;
  REQUIRE(append_record(out, "first"));
  REQUIRE(append_record(out, "second"));
  REQUIRE(append_record(out, "third"));
  return out;
}

TEST_CASE("A payload that cannot be framed is refused, and nothing is written", "[record_io]") {
  std::string out = "kept";
  CHECK_FALSE(append_record(out, ""));
  CHECK_FALSE(append_record(out, std::string(kMaxRecordBytes + 1, 'x')));
  CHECK(out == "kept");
}

TEST_CASE("Records read back in order, then a clean end", "[record_io]") {
  const std::string data = three_records();
  RecordReader reader(data);
  CHECK(reader.next().payload == "first");
  CHECK(reader.next().payload == "second");
  const RecordRead third = reader.next();
  CHECK(third.kind == Kind::kRecord);
  CHECK(third.payload == "third");
  CHECK(third.offset == 2 * kRecordHeaderBytes + 5 + 6);
  CHECK(reader.next().kind == Kind::kEnd);
  CHECK(reader.offset() == data.size());
}

TEST_CASE("A record header cut short at the end is a torn tail", "[record_io]") {
  const std::string data = three_records();
  const std::size_t third_at = 2 * kRecordHeaderBytes + 11;
  RecordReader reader(std::string_view(data).substr(0, third_at + 5));
  reader.next();
  reader.next();
  const RecordRead torn = reader.next();
  CHECK(torn.kind == Kind::kTornTail);
  CHECK(torn.offset == third_at);
  CHECK(reader.offset() == third_at);
}

TEST_CASE("A payload cut short at the end is a torn tail", "[record_io]") {
  const std::string data = three_records();
  RecordReader reader(std::string_view(data).substr(0, data.size() - 1));
  reader.next();
  reader.next();
  CHECK(reader.next().kind == Kind::kTornTail);
}

TEST_CASE("A bad checksum in the last record is a torn tail", "[record_io]") {
  std::string data = three_records();
  data.back() ^= 1;
  RecordReader reader(data);
  reader.next();
  reader.next();
  const RecordRead r = reader.next();
  CHECK(r.kind == Kind::kTornTail);
  CHECK(r.problem == "a checksum mismatch");
}

TEST_CASE("Zero bytes after the records are a torn tail, not a record", "[record_io]") {
  const std::string data = three_records() + std::string(100, '\0');
  RecordReader reader(data);
  for (int k = 0; k < 3; ++k)
    REQUIRE(reader.next().kind == Kind::kRecord);
  CHECK(reader.next().kind == Kind::kTornTail);
}

TEST_CASE("A bad checksum with a valid record after it is corruption", "[record_io]") {
  std::string data = three_records();
  data[kRecordHeaderBytes] ^= 1;  // the first payload byte
  RecordReader reader(data);
  const RecordRead r = reader.next();
  CHECK(r.kind == Kind::kCorrupt);
  CHECK(r.offset == 0);
}

TEST_CASE("An impossible length with valid records after it is corruption", "[record_io]") {
  std::string data = three_records();
  data[3] = static_cast<char>(0x7F);  // the length's top byte: about 2 GiB
  RecordReader reader(data);
  const RecordRead r = reader.next();
  CHECK(r.kind == Kind::kCorrupt);
  CHECK(r.problem.find("impossible record length") != std::string::npos);
}

}  // namespace
}  // namespace etcetera::server
