#!/usr/bin/env python3
"""Labelled request traffic from a generator that shares no code, vocabulary or distribution with Distillguard's own
simulator (service/.../simulate): a check of whether the engine's figures hold on traffic it was not written beside.

Why a second generator: the engine's rules were tuned on the project's simulator, whose campaigns have exactly the
shapes the signals look for. This one was written from the public descriptions of distillation campaigns and of the
benign traffic an API sees, with its own choices everywhere the simulator made one: account ids without a scenario in
them, real-looking address space and ISPs, a clouds list chosen apart from the rules' hosting list (which has since
come to name all fourteen), prompts written as text from another vocabulary and fingerprinted by the engine, token
counts, hours and rates of its own. It writes the contract's JSON Lines and a labels CSV for `bin/distillguard
backtest --labels`. Standard library only.

    python3 benchmarks/independent/generate_traffic.py --out /tmp/ind.jsonl --labels /tmp/ind.csv --seed 1
    bin/distillguard backtest --events /tmp/ind.jsonl --labels /tmp/ind.csv --alerts-out /tmp/ind-alerts.jsonl
"""
import argparse
import json
import math
import random

DAY = 86_400_000
HOUR = 3_600_000
MINUTE = 60_000

# Residential and mobile ISPs: (ASN, country, first octets of the /16s their customers get addresses from).
HOME_ISPS = [
    (7922, "US", [(24, 0), (73, 12), (98, 200), (67, 180)]),
    (7018, "US", [(99, 40), (107, 77), (76, 200)]),
    (701, "US", [(71, 105), (96, 255), (108, 28)]),
    (20115, "US", [(47, 150), (66, 168), (97, 90)]),
    (22773, "US", [(68, 100), (70, 160), (72, 200)]),
    (3320, "DE", [(79, 200), (84, 130), (91, 40)]),
    (3215, "FR", [(90, 30), (86, 200), (92, 150)]),
    (2856, "GB", [(81, 128), (86, 150), (109, 150)]),
    (5089, "GB", [(82, 20), (86, 2), (92, 233)]),
    (1136, "NL", [(77, 160), (84, 80), (145, 130)]),
    (4766, "KR", [(112, 160), (121, 130), (175, 200)]),
    (2516, "JP", [(106, 130), (111, 100), (118, 0)]),
    (9829, "IN", [(117, 200), (59, 90), (61, 0)]),
    (28573, "BR", [(177, 30), (179, 180), (187, 100)]),
    (6830, "PL", [(89, 64), (178, 36), (188, 146)]),
    (12322, "FR", [(82, 64), (88, 160), (78, 192)]),
]
CARRIERS = [(21928, "US", [(172, 56), (172, 58)]), (6167, "US", [(174, 192), (174, 200)]),
            (3209, "DE", [(109, 40), (77, 20)]), (4713, "JP", [(153, 140), (180, 0)])]
# Clouds and VPS providers as a campaign or a product would rent them, the well known and the small.
CLOUDS = [(16509, "US", [(3, 80), (18, 200), (52, 14), (54, 160)]), (15169, "US", [(34, 100), (35, 200)]),
          (8075, "US", [(20, 40), (40, 80), (52, 160)]), (14061, "US", [(159, 89), (167, 99), (137, 184)]),
          (24940, "DE", [(95, 216), (116, 202), (135, 181)]), (16276, "FR", [(51, 38), (54, 36), (141, 94)]),
          (20473, "US", [(45, 32), (45, 76), (108, 61)]), (63949, "US", [(45, 56), (172, 104)]),
          (51167, "DE", [(62, 171), (161, 97), (207, 180)]), (9009, "GB", [(185, 220), (193, 27)]),
          (60781, "NL", [(5, 79), (37, 48), (212, 32)]), (31898, "US", [(129, 146), (150, 136)]),
          (212238, "GB", [(2, 56), (185, 107)]), (40021, "US", [(104, 244), (209, 141)])]
UNIVERSITIES = [(217, "US", (128, 32)), (786, "GB", (131, 111)), (680, "DE", (141, 20)), (2200, "FR", (193, 48))]

BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"]
SDKS = ["nova-python/1.4.2", "nova-python/1.3.9", "nova-node/2.1.0", "openai-compat-python/1.55.3", "curl/8.5.0",
        "Go-http-client/2.0", "aiohttp/3.10.10", "nova-java/0.9.1"]
MOBILE = ["NovaChat/5.12 (iPhone; iOS 18.1)", "NovaChat/5.11 (Android 14; Pixel 8)"]
CAPABILITIES = ["chat", "writing", "coding", "math", "analysis", "translation", "tool_use", "reasoning"]
MODELS = ["nova-1", "nova-1-mini"]
NEW_MODEL = "nova-2"


class World:
    def __init__(self, seed, start, days):
        self.rng = random.Random(seed)
        self.start = start
        self.end = start + days * DAY
        self.release = start + int(days * DAY * 0.5)
        # Campaign knobs (main's --campaign-*): the defaults leave every campaign as described below.
        self.campaign_rate = 1.0
        self.campaign_reasoning = None
        self.campaign_first_turn = None
        self.out = []
        self.labels = []
        self.next_event = 0
        syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ei")]
        r = random.Random(seed * 31 + 7)
        self.words = sorted({"".join(r.choice(syllables) for _ in range(r.choice((1, 2, 2, 3, 3, 4))))
                             for _ in range(6000)})
        r.shuffle(self.words)
        # Zipf weights: everyday words are common, most are rare.
        self.cum = []
        total = 0.0
        for i in range(len(self.words)):
            total += 1.0 / (i + 1) ** 1.05
            self.cum.append(total)

    # ---- identities -------------------------------------------------------------------------------------------
    def account(self, label, scenario):
        aid = "u_%012x" % self.rng.getrandbits(48)
        self.labels.append((aid, label, scenario))
        return aid

    def card(self):
        return "pm_%016x" % self.rng.getrandbits(64)

    def address(self, space, fixed_third=None):
        first, second = self.rng.choice(space)
        third = fixed_third if fixed_third is not None else self.rng.randrange(256)
        return "%d.%d.%d.%d" % (first, second, third, self.rng.randrange(1, 255))

    def home(self):
        asn, country, space = self.rng.choice(HOME_ISPS)
        return asn, country, self.address(space)

    # ---- text -------------------------------------------------------------------------------------------------
    def word(self):
        x = self.rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.words[lo]

    def sentence(self, lo, hi):
        return " ".join(self.word() for _ in range(self.rng.randint(lo, hi)))

    # ---- time -------------------------------------------------------------------------------------------------
    def local_hour_weight(self, hour):
        # A person's day: asleep at night, busiest mid-morning and evening.
        curve = [0.1, 0.05, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 0.9, 1.0, 1.0, 0.9, 0.8, 0.9, 1.0, 0.9, 0.8, 0.8, 0.9,
                 1.0, 1.0, 0.8, 0.5, 0.25]
        return curve[hour % 24]

    def human_time(self, tz_hours, day_start):
        while True:
            t = day_start + self.rng.randrange(DAY)
            hour = int(((t - self.start) // HOUR + tz_hours) % 24)
            if self.rng.random() < self.local_hour_weight(hour):
                return t

    # ---- events -----------------------------------------------------------------------------------------------
    def emit(self, t, acct, ip, asn, country, ua, card, created, model, prompt, prompt_tokens, completion_tokens,
             reasoning, capability, conversation=None, turn=0, org=None, endpoint="/v1/messages", status=200):
        if t < self.start or t >= self.end:
            return
        self.next_event += 1
        event = {"event_id": "ev-%x-%d" % (self.rng.getrandbits(32), self.next_event), "event_time": int(t),
                 "account_id": acct, "org_id": org, "api_key_id": "k_" + acct[2:] if acct else None, "ip": ip,
                 "asn": asn, "country": country, "user_agent": ua, "payment_fingerprint": card,
                 "account_created_at": int(created) if created is not None else None, "model": model,
                 "endpoint": endpoint, "conversation_id": conversation, "turn_index": turn,
                 "prompt_tokens": int(prompt_tokens), "completion_tokens": int(completion_tokens),
                 "reasoning_requested": reasoning, "capability": capability, "prompt_simhash": None,
                 "prompt_text": prompt, "status": status, "prompt_minhash": None}
        self.out.append((int(t), json.dumps(event, separators=(",", ":"))))

    def lognormal(self, median, sigma):
        return max(1, median * math.exp(self.rng.gauss(0, sigma)))

    def model_at(self, t, upgrade_share=0.0):
        if t >= self.release and self.rng.random() < upgrade_share:
            return NEW_MODEL
        return MODELS[0] if self.rng.random() < 0.8 else MODELS[1]

    def chat_answer(self, prompt_tokens, reasoning):
        answer = self.lognormal(280, 0.8)
        if reasoning:
            answer += self.lognormal(900, 0.7)
        return answer


# ---- benign populations -----------------------------------------------------------------------------------------

def ordinary_person(w, scenario="ordinary", ip_fn=None, ua=None, created=None, per_day=None, reasoning_habit=None,
                    capabilities=None, card=None, label="benign"):
    acct = w.account(label, scenario)
    card = card or w.card()
    created = created if created is not None else w.start - w.rng.randrange(20, 1200) * DAY
    asn, country, ip = w.home()
    tz = {"US": -6, "DE": 1, "FR": 1, "GB": 0, "NL": 1, "KR": 9, "JP": 9, "IN": 5, "BR": -3, "PL": 1}.get(country, 0)
    ua = ua or w.rng.choice(BROWSERS + BROWSERS + SDKS + MOBILE)
    habit = reasoning_habit if reasoning_habit is not None else w.rng.choice((0.0, 0.05, 0.1, 0.2, 0.3, 0.5))
    caps = capabilities or w.rng.sample(CAPABILITIES, w.rng.randint(2, 5))
    rate = per_day if per_day is not None else w.lognormal(3, 0.9)
    upgrade = w.rng.random() * 0.6
    for day in range(int((w.end - w.start) // DAY)):
        day_start = w.start + day * DAY
        for _ in range(int(rate) + (1 if w.rng.random() < rate - int(rate) else 0)):
            t = w.human_time(tz, day_start)
            turns = w.rng.choice((1, 1, 2, 2, 3, 4, 6, 9))
            conv = "c-%x" % w.rng.getrandbits(40)
            cap = w.rng.choice(caps)
            for turn in range(turns):
                if ip_fn:
                    asn, country, ip = ip_fn(t)
                reasoning = w.rng.random() < habit
                pt = w.lognormal(60, 0.8) + 180 * turn
                prompt = w.sentence(4, 40)
                w.emit(t, acct, ip, asn, country, ua, card, created, w.model_at(t, upgrade), prompt, pt,
                       w.chat_answer(pt, reasoning), reasoning, cap, conv, turn)
                t += w.rng.randint(20, 400) * 1000
    return acct


def university(w, asn, country, net, students):
    # A campus NAT: a handful of addresses in one /24 for everyone on the campus network; students at home otherwise.
    nat = ["%d.%d.%d.%d" % (net[0], net[1], 7, 10 + i) for i in range(3)]
    for _ in range(students):
        home_asn, home_country, home_ip = w.home()

        def ip_fn(t, home_asn=home_asn, home_ip=home_ip, home_country=home_country):
            hour = ((t - w.start) // HOUR) % 24
            if 8 <= hour < 17 and w.rng.random() < 0.7:
                return asn, country, w.rng.choice(nat)
            return home_asn, home_country, home_ip
        ordinary_person(w, "university_nat", ip_fn=ip_fn, per_day=w.lognormal(5, 0.7),
                        reasoning_habit=w.rng.choice((0.2, 0.4, 0.6)), capabilities=["math", "coding", "writing", "analysis"])


def carrier_pool(w, users):
    # Mobile users behind a carrier's CGNAT: each session from one of a few hundred shared addresses.
    asn, country, space = w.rng.choice(CARRIERS)
    pool = ["%d.%d.%d.%d" % (space[0][0], space[0][1], w.rng.randrange(4), w.rng.randrange(1, 255))
            for _ in range(300)]
    for _ in range(users):
        ordinary_person(w, "carrier_pool", ip_fn=lambda t: (asn, country, w.rng.choice(pool)),
                        ua=w.rng.choice(MOBILE), per_day=w.lognormal(4, 0.8))


def enterprise_batch(w, companies, accounts_each):
    # Nightly document jobs: one system prompt, a document each, no reasoning, short answers, from the company's cloud.
    for _ in range(companies):
        asn, country, space = w.rng.choice(CLOUDS[:4])
        egress = [w.address(space) for _ in range(2)]
        card = w.card()
        system = w.sentence(60, 90)
        org = "org_%x" % w.rng.getrandbits(32)
        for _ in range(accounts_each):
            acct = w.account("benign", "enterprise_batch")
            created = w.start - w.rng.randrange(60, 700) * DAY
            for day in range(int((w.end - w.start) // DAY)):
                t = w.start + day * DAY + (1 + w.rng.random()) * HOUR
                for _ in range(int(w.lognormal(300, 0.5))):
                    t += w.rng.randint(2, 15) * 1000
                    pt = w.lognormal(3000, 0.5)
                    w.emit(t, acct, w.rng.choice(egress), asn, country, "nova-python/1.4.2", card, created, MODELS[1],
                           system + " " + w.sentence(40, 120), pt, w.lognormal(350, 0.4), False, "analysis",
                           None, 0, org)


BENCHMARK = []


def eval_harness(w, accounts):
    # Research and product teams running public benchmarks: the same question texts, first turns, in bursts.
    for _ in range(accounts):
        acct = w.account("benign", "eval_harness")
        asn, country, space = w.rng.choice(CLOUDS)
        ip = w.address(space)
        card = w.card()
        created = w.start - w.rng.randrange(30, 600) * DAY
        for _ in range(w.rng.randint(1, 4)):
            t = w.start + w.rng.randrange(int((w.end - w.start) - 6 * HOUR))
            reasoning = w.rng.random() < 0.5
            model = w.model_at(t, 0.7)
            for q in w.rng.sample(BENCHMARK, w.rng.randint(200, 800)):
                t += w.rng.randint(1, 6) * 1000
                pt = len(q.split()) * 1.4
                w.emit(t, acct, ip, asn, country, "aiohttp/3.10.10", card, created, model, q, pt,
                       w.chat_answer(pt, reasoning), reasoning, "reasoning")


def agent_product(w, users):
    # A coding agent product that calls with its users' own keys from its cloud: one long system prompt, tool loops.
    asn, country, space = CLOUDS[0]
    egress = [w.address(space) for _ in range(6)]
    system = w.sentence(120, 160)
    for _ in range(users):
        acct = w.account("benign", "agent_product")
        card = w.card()
        created = w.start - w.rng.randrange(10, 500) * DAY
        tz = w.rng.choice((-8, -5, 0, 1, 5, 9))
        for day in range(int((w.end - w.start) // DAY)):
            for _ in range(int(w.lognormal(3, 0.8))):
                t = w.human_time(tz, w.start + day * DAY)
                conv = "a-%x" % w.rng.getrandbits(40)
                for step in range(w.rng.randint(3, 25)):
                    pt = 1200 + 900 * step + w.lognormal(200, 0.5)
                    reasoning = w.rng.random() < 0.6
                    w.emit(t, acct, w.rng.choice(egress), asn, country, "agentkit/0.8", card, created,
                           w.model_at(t, 0.9), system + " " + w.sentence(10, 60), pt,
                           w.lognormal(400, 0.7) + (w.lognormal(700, 0.6) if reasoning else 0), reasoning,
                           "tool_use" if step else "coding", conv, step)
                    t += w.rng.randint(5, 60) * 1000


def router(w, pools):
    # An API router: a few accounts on one invoice carrying many customers' traffic of every kind, day and night.
    for _ in range(pools):
        asn, country, space = w.rng.choice(CLOUDS)
        egress = [w.address(space) for _ in range(3)]
        card = w.card()
        accts = [w.account("benign", "router") for _ in range(w.rng.randint(4, 10))]
        for acct in accts:
            created = w.start - w.rng.randrange(30, 400) * DAY
            t = w.start
            while t < w.end:
                t += int(w.rng.expovariate(1 / 9000))
                reasoning = w.rng.random() < 0.35
                pt = w.lognormal(400, 1.2)
                w.emit(t, acct, w.rng.choice(egress), asn, country, "Go-http-client/2.0", card, created,
                       w.model_at(t, 0.3), w.sentence(5, 80), pt, w.chat_answer(pt, reasoning), reasoning,
                       w.rng.choice(CAPABILITIES), None, w.rng.choice((0, 0, 0, 1, 2, 5)))


def power_developer(w, people):
    # One person's coding agents and scripts: bursts of hundreds of single requests, reasoning on most.
    for _ in range(people):
        acct = w.account("benign", "power_developer")
        card = w.card()
        created = w.start - w.rng.randrange(30, 900) * DAY
        asn, country, ip = w.home()
        cloud = w.rng.choice(CLOUDS)
        cloud_ip = w.address(cloud[2])
        script = w.sentence(20, 40)
        for day in range(int((w.end - w.start) // DAY)):
            for _ in range(w.rng.randint(0, 3)):
                t = w.start + day * DAY + w.rng.randrange(DAY)
                on_cloud = w.rng.random() < 0.4
                for _ in range(int(w.lognormal(120, 0.8))):
                    t += w.rng.randint(3, 40) * 1000
                    reasoning = w.rng.random() < 0.7
                    pt = w.lognormal(900, 0.7)
                    w.emit(t, acct, cloud_ip if on_cloud else ip, cloud[0] if on_cloud else asn,
                           cloud[1] if on_cloud else country, "nova-python/1.4.2", card, created, w.model_at(t, 0.8),
                           script + " " + w.sentence(5, 30), pt, w.chat_answer(pt, reasoning), reasoning, "coding")


def new_signups(w, per_day):
    # People opening accounts while the traffic runs: the quickstart's first request, then a few of their own.
    quickstart = "Hello, can you tell me what you can do and give me three examples"
    for day in range(int((w.end - w.start) // DAY)):
        for _ in range(per_day):
            opened = w.start + day * DAY + w.rng.randrange(DAY)
            acct = w.account("benign", "new_signup")
            asn, country, ip = w.home()
            ua = w.rng.choice(SDKS[:4] + BROWSERS)
            card = w.card()
            t = opened + w.rng.randint(1, 30) * MINUTE
            w.emit(t, acct, ip, asn, country, ua, card, opened, MODELS[0], quickstart, 16, w.lognormal(200, 0.3),
                   False, "chat")
            habit = w.rng.choice((0.0, 0.2, 0.5, 0.8))
            for _ in range(int(w.lognormal(6, 0.9))):
                t += w.rng.randint(1, 240) * MINUTE
                reasoning = w.rng.random() < habit
                pt = w.lognormal(80, 0.8)
                w.emit(t, acct, ip, asn, country, ua, card, opened, w.model_at(t, 0.5), w.sentence(4, 30), pt,
                       w.chat_answer(pt, reasoning), reasoning, w.rng.choice(CAPABILITIES))


def household_cards(w, households):
    # Families and small teams on one card, each person their own way.
    for _ in range(households):
        card = w.card()
        for _ in range(w.rng.randint(2, 4)):
            ordinary_person(w, "household_card", card=card)


# ---- campaigns ----------------------------------------------------------------------------------------------------

def harvest_prompt(w, templates=None):
    if templates:
        template = w.rng.choice(templates)
        return template.replace("{}", w.sentence(3, 8))
    return w.sentence(12, 45)


def harvest_request(w, t, acct, ip, asn, country, ua, card, created, model, reasoning_share, first_turn_share,
                    capabilities, templates=None):
    if w.campaign_reasoning is not None:
        reasoning_share = w.campaign_reasoning
    if w.campaign_first_turn is not None:
        first_turn_share = w.campaign_first_turn
    reasoning = w.rng.random() < reasoning_share
    prompt = harvest_prompt(w, templates)
    pt = len(prompt.split()) * 1.4 + 20
    completion = w.lognormal(1400, 0.5) + (w.lognormal(2500, 0.6) if reasoning else 0)
    if w.rng.random() < first_turn_share:
        w.emit(t, acct, ip, asn, country, ua, card, created, model, prompt, pt, completion, reasoning,
               w.rng.choice(capabilities))
    else:
        conv = "h-%x" % w.rng.getrandbits(40)
        for turn in range(2):
            w.emit(t, acct, ip, asn, country, ua, card, created, model, prompt, pt + 900 * turn, completion,
                   reasoning, w.rng.choice(capabilities), conv, turn)
            t += w.rng.randint(10, 60) * 1000


def scaled(w, count):
    """A campaign account's count of requests at --campaign-rate, rounded at random so that its mean scales too."""
    if w.campaign_rate == 1.0:
        return count
    exact = count * w.campaign_rate
    return int(exact) + (1 if w.rng.random() < exact - int(exact) else 0)


def bulk(w, accounts):
    asn, country, space = CLOUDS[3]
    for _ in range(accounts):
        acct = w.account("attack", "bulk")
        ip = w.address(space)
        card = w.card()
        created = w.start - w.rng.randrange(5, 60) * DAY
        t = w.start + w.rng.randrange(6 * HOUR)
        while t < w.end:
            t += int(w.rng.expovariate(w.campaign_rate / 9000))
            harvest_request(w, t, acct, ip, asn, country, "aiohttp/3.10.10", card, created, MODELS[0], 0.9, 0.95,
                            ["math", "coding"])


def attack_accounts_on_cards(w, accounts, scenario, fewest, most):
    """At least `accounts` campaign accounts, each card shared by `fewest` to `most` of them."""
    out = []
    while len(out) < accounts:
        card = w.card()
        for _ in range(w.rng.randint(fewest, most)):
            out.append((w.account("attack", scenario), card))
    return out


def residential_proxy(w):
    asn, country, space = w.rng.choice(HOME_ISPS)
    return asn, country, w.address(space)


def hydra_shared_cards(w, accounts):
    # Residential proxies rotating per request, cards shared by two to four accounts, fresh prompts, new accounts.
    ua = "nova-python/1.3.9"
    for acct, card in attack_accounts_on_cards(w, accounts, "hydra_residential_cards", 2, 4):
        created = w.start - w.rng.randrange(1, 45) * DAY - w.rng.randrange(DAY)
        rate = w.lognormal(25, 0.4) * w.campaign_rate
        t = w.start + w.rng.randrange(8 * HOUR)
        while t < w.end:
            t += int(w.rng.expovariate(rate / DAY))
            asn, country, ip = residential_proxy(w)
            harvest_request(w, t, acct, ip, asn, country, ua, card, created, MODELS[0], 0.8, 0.9,
                            ["math", "coding", "reasoning"])


def hydra_hosting_human(w, accounts):
    # Unique cards, each account its own rented address at one of several providers, a person's hours and pace.
    providers = w.rng.sample(CLOUDS, 5)
    for _ in range(accounts):
        acct = w.account("attack", "hydra_hosting_human")
        asn, country, space = w.rng.choice(providers)
        ip = w.address(space)
        card = w.card()
        created = w.start - w.rng.randrange(10, 200) * DAY
        tz = w.rng.choice((-5, 0, 1, 8))
        ua = w.rng.choice(SDKS[:3])
        for day in range(int((w.end - w.start) // DAY)):
            for _ in range(scaled(w, int(w.lognormal(30, 0.4)))):
                t = w.human_time(tz, w.start + day * DAY)
                harvest_request(w, t, acct, ip, asn, country, ua, card, created, MODELS[0], 0.75, 0.9,
                                ["coding", "math"])


def model_pivot(w, accounts):
    # Accounts that harvested the old model at a trickle and turn to the new one the day it is released.
    for acct, card in attack_accounts_on_cards(w, accounts, "model_pivot", 1, 3):
        created = w.start - w.rng.randrange(3, 90) * DAY
        t = w.start + w.rng.randrange(12 * HOUR)
        while t < w.end:
            after = t >= w.release
            rate = (40 if after else 4) * w.campaign_rate
            t += int(w.rng.expovariate(rate / DAY))
            asn, country, ip = residential_proxy(w)
            harvest_request(w, t, acct, ip, asn, country, "nova-python/1.4.2", card, created,
                            NEW_MODEL if after else MODELS[0], 0.85, 0.9, ["reasoning", "math", "coding"])


def low_and_slow(w, accounts):
    # Aged accounts at a few requests a day over one provider's address space, a handful of prompt templates.
    asn, country, space = CLOUDS[4]
    templates = [w.sentence(12, 20) + " {} " + w.sentence(5, 12) for _ in range(5)]
    for _ in range(accounts):
        acct = w.account("attack", "low_and_slow")
        ip = w.address(space)
        card = w.card()
        created = w.start - w.rng.randrange(90, 400) * DAY
        for day in range(int((w.end - w.start) // DAY)):
            for _ in range(scaled(w, w.rng.randint(2, 9))):
                t = w.start + day * DAY + w.rng.randrange(DAY)
                harvest_request(w, t, acct, ip, asn, country, "nova-python/1.4.2", card, created, MODELS[0], 0.8, 0.95,
                                ["reasoning", "math"], templates)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--start", default="2026-12-01T00:00:00Z",
                   help="the traffic's first instant, in the past: the engine dead-letters events more than "
                        "validation.max-future-skew ahead of the wall clock")
    p.add_argument("--scale", type=float, default=1.0, help="every population's size, against the default")
    p.add_argument("--campaign-rate", type=float, default=1.0,
                   help="every campaign account's requests, against its default rate (0.33: a third as many)")
    p.add_argument("--campaign-reasoning", type=float, default=None,
                   help="the share of every campaign's requests that ask for reasoning (default: each its own)")
    p.add_argument("--campaign-first-turn", type=float, default=None,
                   help="the share of every campaign's harvests sent as one question, not a two-turn conversation")
    a = p.parse_args()
    if a.campaign_rate <= 0 or any(v is not None and not 0 <= v <= 1
                                   for v in (a.campaign_reasoning, a.campaign_first_turn)):
        p.error("--campaign-rate must be positive, and the campaign shares between 0 and 1")
    import datetime
    start = int(datetime.datetime.fromisoformat(a.start.replace("Z", "+00:00")).timestamp() * 1000)
    w = World(a.seed, start, a.days)
    w.campaign_rate, w.campaign_reasoning, w.campaign_first_turn = (a.campaign_rate, a.campaign_reasoning,
                                                                    a.campaign_first_turn)
    s = lambda n: max(1, int(round(n * a.scale)))
    BENCHMARK.extend(w.sentence(15, 60) for _ in range(3000))
    for _ in range(s(4500)):
        ordinary_person(w)
    for asn, country, net in UNIVERSITIES:
        university(w, asn, country, net, s(120))
    carrier_pool(w, s(500))
    enterprise_batch(w, s(4), 12)
    eval_harness(w, s(25))
    agent_product(w, s(400))
    router(w, s(3))
    power_developer(w, s(80))
    new_signups(w, s(230))
    household_cards(w, s(150))
    bulk(w, 4)
    hydra_shared_cards(w, s(800))
    hydra_hosting_human(w, s(800))
    model_pivot(w, s(300))
    low_and_slow(w, s(150))
    w.out.sort(key=lambda e: e[0])
    with open(a.out, "w") as f:
        for _, line in w.out:
            f.write(line)
            f.write("\n")
    with open(a.labels, "w") as f:
        f.write("account_id,label,scenario\n")
        for row in w.labels:
            f.write(",".join(row) + "\n")
    counts = {}
    for _, label, scenario in w.labels:
        counts[scenario] = counts.get(scenario, 0) + 1
    print("wrote %d events, %d accounts: %s" % (len(w.out), len(w.labels), counts))


if __name__ == "__main__":
    main()
