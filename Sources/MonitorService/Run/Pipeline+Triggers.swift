import Foundation
import Logging
import MonitorCore
import MonitorRules
import MonitorStore
import MonitorWindowing

/// Retraining triggers (DESIGN §9): a rule with `actions: [retrain]` asks for one when an alert
/// starts firing. The policy (cooldown, max open per model) and silences decide whether it is
/// emitted; either way it is recorded. An emitted trigger gets one outbox row per configured
/// sink. Trigger rows and outbox rows join the pending checkpoint, so they commit in the same
/// transaction as the transition that caused them: after a crash the replayed firing yields the
/// same trigger id and the store keeps the first rows.
struct TriggerRuntime {
    /// The sinks configured under `registry:` (outbox integrations of `@registry`).
    let sinks: [String]
    var policy: TriggerPolicy
    /// The most series values a trigger carries (an alert on a model-wide metric may match
    /// every feature's samples; the first ones, by metric and labels, are enough to explain it).
    static let maxSeries = 50

    init(settings: RegistrySettings, stored: [TriggerRecord]) {
        sinks = settings.sinkNames
        policy = TriggerPolicy(cooldown: settings.cooldown, maxOpen: settings.maxOpenTriggers, restoring: stored)
    }

    /// The JSON of a trigger (sorted keys, so the same trigger always encodes to the same bytes).
    static func encode(_ trigger: RetrainTrigger) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(trigger) else {
            preconditionFailure("a RetrainTrigger always encodes (non-finite values are nil)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Pipeline {
    /// Emits (or records as suppressed or silenced) the triggers of an evaluation's transitions
    /// and closes those whose alert resolved.
    ///
    /// - Parameters:
    ///   - transitions: The evaluation's transitions.
    ///   - samples: The samples the evaluation saw (for the series behind each trigger).
    func recordTriggers(_ transitions: [AlertTransition], samples: LatestSamples) {
        var silences: [Silence]?
        for t in transitions {
            let model = t.alert.labels.dictionary["model"] ?? ""
            if t.to == .resolved || t.to == .inactive {
                if let id = triggers.policy.close(alertKey: TriggerRecord.alertKey(t.alert), model: model) {
                    pending.triggerClosures.append(TriggerClosure(triggerID: id, at: t.at))
                    pendingDirty = true
                }
                continue
            }
            guard t.to == .firing, t.actions.contains(RuleAction.retrain.rawValue) else { continue }
            if silences == nil {
                do { silences = try store.silences(at: wallClockNow(), includeExpired: false) } catch {
                    logger.error("cannot read silences; triggers are not silenced", metadata: ["error": "\(error)"])
                    silences = []
                }
            }
            emitTrigger(t, samples: samples, silences: silences ?? [])
        }
    }

    private func emitTrigger(_ t: AlertTransition, samples: LatestSamples, silences: [Silence]) {
        let rule = (rules.rules + (labels?.rules.rules ?? [])).first { $0.group == t.alert.group && $0.name == t.alert.rule }
        let alertLabels = t.alert.labels.dictionary
        var series: [RetrainTrigger.SeriesValue] = []
        for metric in (rule?.expression.selectedMetrics() ?? []).sorted() {
            for s in samples.samples(metric: metric, at: t.at) where series.count < TriggerRuntime.maxSeries {
                let d = s.labels.dictionary
                guard d.allSatisfy({ alertLabels[$0.key] == nil || alertLabels[$0.key] == $0.value }) else { continue }
                series.append(.init(metric: metric, labels: d, value: s.value.isFinite ? s.value : nil))
            }
        }
        let windowStart = alertLabels["window"].flatMap { name in loaded.config.windows.first { $0.name == name } }
            .map { Timestamp(milliseconds: t.at.milliseconds - $0.size) }
        let reference = profiles.resolver.inForce(alertLabels["model"] ?? "", alertLabels["version"] ?? "")?.name
        let trigger = RetrainTrigger(firing: t, expression: rule?.expression.text ?? "", series: series, windowStart: windowStart,
                                     reference: reference)
        let payload = TriggerRuntime.encode(trigger)
        let wallNow = wallClockNow()
        let alertKey = TriggerRecord.alertKey(t.alert)
        var status = TriggerStatus.emitted
        var why: String?
        if let s = silences.first(where: { $0.mutes(t.alert.labels, at: wallNow) }) {
            status = .silenced
            why = "silenced by \(s.id) until \(s.endsAt) (\(s.comment))"
        } else if case .suppress(let reason) = triggers.policy.decide(model: trigger.model, at: t.at) {
            status = .suppressed
            why = reason
        } else {
            triggers.policy.recordEmitted(model: trigger.model, id: trigger.id, alertKey: alertKey, at: t.at)
            for sink in triggers.sinks {
                pending.notifications.append(OutboxNotification(
                    id: TriggerOutbox.rowID(trigger: trigger.id, sink: sink), receiver: TriggerOutbox.receiver, integration: sink,
                    groupKey: trigger.model, status: "firing", payload: payload, createdAt: t.at, enqueuedAt: wallNow))
            }
        }
        pending.triggers.append(TriggerRecord(trigger: trigger, status: status, statusReason: why, alertKey: alertKey, createdAt: wallNow,
                                              payload: payload))
        pendingDirty = true
        totals.triggers[status, default: 0] += 1
        let metricStatus = status == .emitted ? "enqueued" : status.rawValue
        let model = self.status.metrics.model(trigger.model)
        for sink in triggers.sinks.isEmpty ? ["none"] : triggers.sinks {
            self.status.metrics.add("monitor_retrain_triggers_total", [("model", model), ("sink", sink), ("status", metricStatus)], 1)
        }
        let level: Logger.Level = status == .emitted ? .warning : .info
        logger.log(level: level, "retraining trigger \(status.rawValue)", metadata: [
            "trigger.id": "\(trigger.id)", "model": "\(trigger.model)", "version": "\(trigger.version ?? "-")", "rule.name": "\(trigger.rule)",
            "sinks": "\(triggers.sinks)", "reason": "\(why ?? trigger.reason)"])
    }
}
