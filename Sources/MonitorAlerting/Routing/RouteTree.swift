public import MonitorCore

/// The route tree of an alerts file with every inherited setting resolved (Alertmanager's
/// `dispatch.Route`).
///
/// Matching walks the tree depth-first: a route that matches offers the alert to its children
/// in order; the first child that takes it stops the search among its siblings unless that
/// child has `continue: true`; a route none of whose children took the alert takes it itself.
/// The root matches every alert.
///
/// Invariants: `receiver`, the timings and `grouping` are set on every node (inherited from
/// the parent when the file leaves them out); `key` is unique within a tree.
public struct RouteTree: Sendable, Hashable {
    /// How a route groups alerts.
    public enum Grouping: Sendable, Hashable {
        /// By these labels (empty: every alert of the route in one group).
        case labels([String])
        /// By all labels: one group per alert (`group_by: ['...']`).
        case all
    }

    /// One node.
    public struct Node: Sendable, Hashable {
        /// `{}` for the root, then `/`-separated child index and matcher set,
        /// e.g. `{}/0{severity="page"}`; the prefix of every group key of this route.
        public var key: String
        public var receiver: String
        public var matchers: [AlertMatcher]
        public var grouping: Grouping
        /// Milliseconds (event time).
        public var groupWait: Int64
        public var groupInterval: Int64
        public var repeatInterval: Int64
        public var `continue`: Bool
        public var children: [Node]
    }

    public let root: Node

    /// Resolves a parsed route tree; the root must have a receiver (``AlertsFile/parse(_:path:)``
    /// guarantees it).
    public init(_ route: AlertsFile.Route) {
        func resolve(_ r: AlertsFile.Route, parent: Node?, key: String) -> Node {
            var node = Node(
                key: key,
                receiver: r.receiver ?? parent?.receiver ?? "",
                matchers: r.matchers,
                grouping: r.groupBy.map { $0 == ["..."] ? .all : .labels($0) } ?? parent?.grouping ?? .labels([]),
                groupWait: r.groupWait ?? parent?.groupWait ?? AlertsFile.defaultGroupWait,
                groupInterval: r.groupInterval ?? parent?.groupInterval ?? AlertsFile.defaultGroupInterval,
                repeatInterval: r.repeatInterval ?? parent?.repeatInterval ?? AlertsFile.defaultRepeatInterval,
                continue: r.continue, children: [])
            node.children = r.routes.enumerated().map { i, child in
                resolve(child, parent: node, key: "\(key)/\(i){\(child.matchers.map(\.description).joined(separator: ","))}")
            }
            return node
        }
        root = resolve(route, parent: nil, key: "{}")
    }

    /// The routes that take an alert with these labels, in tree order (at least one: the root
    /// takes what no child does).
    public func match(_ labels: Labels) -> [Node] {
        func walk(_ node: Node) -> [Node]? {
            guard node.matchers.matches(labels) else { return nil }
            var out: [Node] = []
            for child in node.children {
                guard let taken = walk(child) else { continue }
                out += taken
                if !child.continue { break }
            }
            return out.isEmpty ? [node] : out
        }
        return walk(root) ?? [root]
    }

    /// Every node, depth-first.
    public var nodes: [Node] {
        func all(_ n: Node) -> [Node] { [n] + n.children.flatMap(all) }
        return all(root)
    }
}

extension RouteTree.Node {
    /// The group labels of an alert under this route.
    public func groupLabels(_ labels: Labels) -> Labels {
        switch grouping {
        case .all: return labels
        case .labels(let names): return labels.keeping(names)
        }
    }
}
