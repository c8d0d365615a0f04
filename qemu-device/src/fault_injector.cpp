// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// FaultInjector: command parsing and application.
#include "fault_injector.h"

#include "log.h"
#include "seedchip.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace seed::device {
namespace {

constexpr std::string_view kCommands = "help,status,queue,hang-queue,mmu-fault,ecc,slow,fatal,"
                                       "stop-responding,resume,unplug,replug,clear";
constexpr uint32_t kSlowMax = 1000;

/// Decimal or 0x-prefixed hexadecimal, the whole word.
std::optional<uint64_t> parse_number(std::string_view word) {
    int base = 10;
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
        word.remove_prefix(2);
        base = 16;
    }
    if (word.empty() || word[0] == '+' || word[0] == '-')
        return std::nullopt;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value, base);
    if (ec != std::errc() || end != word.data() + word.size())
        return std::nullopt;
    return value;
}

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

std::string error(std::string_view message) {
    return fmt::format("error {}", message);
}

std::string_view queue_state_name(uint32_t state) {
    switch (state) {
    case SEED_QUEUE_STATE_DISABLED:
        return "disabled";
    case SEED_QUEUE_STATE_IDLE:
        return "idle";
    case SEED_QUEUE_STATE_RUNNING:
        return "running";
    case SEED_QUEUE_STATE_WAITING:
        return "waiting";
    case SEED_QUEUE_STATE_STOPPED:
        return "stopped";
    case SEED_QUEUE_STATE_RESETTING:
        return "resetting";
    default:
        return "unknown";
    }
}

} // namespace

FaultInjector::FaultInjector(SeedChip& chip) : chip_(chip) {}

std::optional<std::string> FaultInjector::execute(std::string_view line) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.size() > kMaxLine)
        return error("line too long");
    for (char c : line) {
        if (c < 0x20 || c > 0x7e)
            return error("non-printable character in request");
    }
    const auto words = split(line);
    if (words.empty() || words[0][0] == '#')
        return std::nullopt;
    std::lock_guard guard(lock_);
    std::string reply = run(words);
    log::info("control: '{}' -> '{}'", line, reply);
    return reply;
}

std::string FaultInjector::run(const std::vector<std::string_view>& w) {
    const std::string_view cmd = w[0];
    const size_t args = w.size() - 1;
    auto arg_count = [&](size_t min, size_t max) { return args >= min && args <= max; };
    auto usage = [&](std::string_view syntax) { return error(fmt::format("usage: {}", syntax)); };
    // Queue number argument: nullopt and *err set on failure.
    std::string err;
    auto queue_arg = [&](std::string_view word) -> std::optional<unsigned> {
        auto q = parse_number(word);
        if (!q) {
            err = error(fmt::format("bad queue number '{}'", word));
            return std::nullopt;
        }
        if (*q >= chip_.queue_count()) {
            err = error(
                fmt::format("queue {} out of range (device has {})", *q, chip_.queue_count()));
            return std::nullopt;
        }
        return static_cast<unsigned>(*q);
    };

    if (cmd == "help") {
        if (args != 0)
            return usage("help");
        return fmt::format("ok commands={}", kCommands);
    }
    if (cmd == "status") {
        if (args != 0)
            return usage("status");
        return status();
    }
    if (cmd == "queue") {
        if (args != 1)
            return usage("queue <q>");
        auto q = queue_arg(w[1]);
        return q ? queue_status(*q) : err;
    }
    if (cmd == "hang-queue") {
        if (!arg_count(1, 2) || (args == 2 && w[2] != "sticky"))
            return usage("hang-queue <q> [sticky]");
        auto q = queue_arg(w[1]);
        if (!q)
            return err;
        chip_.queue(*q).inject_hang(args == 2);
        return "ok";
    }
    if (cmd == "mmu-fault") {
        if (!arg_count(1, 2) || (args == 2 && w[2] != "read" && w[2] != "write"))
            return usage("mmu-fault <q> [read|write]");
        auto q = queue_arg(w[1]);
        if (!q)
            return err;
        uint32_t types = InjectedMmuFault::kRead | InjectedMmuFault::kWrite;
        if (args == 2)
            types = w[2] == "read" ? InjectedMmuFault::kRead : InjectedMmuFault::kWrite;
        chip_.queue(*q).inject_mmu_fault(types);
        return "ok";
    }
    if (cmd == "ecc") {
        if (!arg_count(1, 2) || (w[1] != "corrected" && w[1] != "uncorrected"))
            return usage("ecc corrected|uncorrected [<addr>]");
        uint64_t addr = 0;
        if (args == 2) {
            auto a = parse_number(w[2]);
            if (!a)
                return error(fmt::format("bad address '{}'", w[2]));
            if (*a >= chip_.config().hbm_size)
                return error(fmt::format("address {:#x} beyond HBM size {:#x}", *a,
                                         chip_.config().hbm_size));
            addr = *a;
        }
        const bool ue = w[1] == "uncorrected";
        chip_.inject_ecc(ue, addr);
        const SeedChip::FaultView v = chip_.fault_view();
        if (!ue)
            return fmt::format("ok ecc_ce={}", v.ecc_ce);
        return fmt::format("ok ecc_ue={} page={:#x}", v.ecc_ue,
                           addr & ~uint64_t{SEED_PAGE_SIZE - 1});
    }
    if (cmd == "slow") {
        if (args != 2)
            return usage("slow <e|all> <factor>");
        const unsigned engines = chip_.engines().engine_count();
        unsigned first = 0;
        unsigned last = engines;
        if (w[1] != "all") {
            auto e = parse_number(w[1]);
            if (!e)
                return error(fmt::format("bad engine number '{}'", w[1]));
            if (*e >= engines)
                return error(fmt::format("engine {} out of range (device has {})", *e, engines));
            first = static_cast<unsigned>(*e);
            last = first + 1;
        }
        auto factor = parse_number(w[2]);
        if (!factor || *factor < 1 || *factor > kSlowMax)
            return error(fmt::format("factor '{}' out of range 1..{}", w[2], kSlowMax));
        for (unsigned e = first; e < last; ++e)
            chip_.engines().set_slow_factor(e, static_cast<uint32_t>(*factor));
        return "ok";
    }
    if (cmd == "fatal") {
        if (args != 0)
            return usage("fatal");
        chip_.inject_fatal();
        return "ok";
    }
    if (cmd == "stop-responding" || cmd == "resume") {
        if (args != 0)
            return usage(cmd);
        chip_.set_not_responding(cmd == "stop-responding");
        return "ok";
    }
    if (cmd == "unplug") {
        if (args != 0)
            return usage(cmd);
        chip_.unplug();
        return "ok";
    }
    if (cmd == "replug") {
        if (args != 0)
            return usage(cmd);
        if (!chip_.removed())
            return error("device is not unplugged");
        chip_.replug();
        return "ok";
    }
    if (cmd == "clear") {
        if (args != 0)
            return usage("clear");
        return clear();
    }
    return error(fmt::format("unknown command '{}' (try help)", cmd));
}

std::string FaultInjector::status() {
    const SeedChip::FaultView v = chip_.fault_view();
    std::string_view state = "running";
    if (chip_.removed())
        state = "removed";
    else if (chip_.not_responding())
        state = "not-responding";
    else if ((v.dev_status & SEED_DEV_STATUS_RESETTING) != 0)
        state = "resetting";
    else if ((v.dev_status & SEED_DEV_STATUS_FATAL) != 0)
        state = "fatal";
    return fmt::format("ok state={} dev_status={:#010x} resets={} queues_enabled={} evlog={} "
                       "temp_mc={} power_mw={} ecc_ce={} ecc_ue={} poisoned_pages={} power={}",
                       state, v.dev_status, v.reset_count, v.queues_enabled, v.evlog ? "on" : "off",
                       static_cast<int32_t>(v.temp_mc), v.power_mw, v.ecc_ce, v.ecc_ue,
                       v.poisoned_pages, chip_.d3hot() ? "D3hot" : "D0");
}

std::string FaultInjector::queue_status(unsigned q) {
    Queue& queue = chip_.queue(q);
    const Queue::Snapshot s = queue.snapshot();
    std::string_view hang = "no";
    if (queue.hang_mode() == Queue::HangMode::kHang)
        hang = "yes";
    else if (queue.hang_mode() == Queue::HangMode::kSticky)
        hang = "sticky";
    return fmt::format("ok queue={} state={} head={} tail={} context={} priority={} error={} "
                       "fence={} hang={}",
                       q, queue_state_name(s.state), s.head, s.tail, s.context, s.priority, s.error,
                       s.fence, hang);
}

std::string FaultInjector::clear() {
    for (unsigned q = 0; q < chip_.queue_count(); ++q) {
        chip_.queue(q).clear_hang();
        chip_.queue(q).inject_mmu_fault(0);
    }
    for (unsigned e = 0; e < chip_.engines().engine_count(); ++e)
        chip_.engines().set_slow_factor(e, 1);
    return "ok";
}

} // namespace seed::device
