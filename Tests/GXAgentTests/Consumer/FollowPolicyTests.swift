import Testing
@testable import GXAgent

@Suite("Following a provider's pass: when to ask the hub again")
struct FollowPolicyTests {
    private let policy = FollowPolicy(idleTimeout: .seconds(60), longPoll: .seconds(10), leastInterval: .seconds(1))

    @Test("after the run's first, plain ask comes back empty, the long poll is asked at once")
    func firstAskThenLongPollAtOnce() {
        #expect(policy.pause(sinceAsked: .milliseconds(5), askedToWait: false) == .zero)
    }

    @Test("a long poll the hub answered empty at once is asked again only once the least interval has passed")
    func longPollAnsweredAtOnce() {
        #expect(policy.pause(sinceAsked: .milliseconds(200), askedToWait: true) == .milliseconds(800))
    }

    @Test("a long poll the hub held open until it expired is asked again at once")
    func longPollHeldOpen() {
        #expect(policy.pause(sinceAsked: .seconds(10), askedToWait: true) == .zero)
    }
}
