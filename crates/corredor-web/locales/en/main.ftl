# corredor's pages in English. Every message here must exist in ../es/main.ftl too
# (a test compares the two sets of ids). Words follow the glossary: "irregular"
# describes the way of entering, never the person.

## Site and navigation

site-name = corredor
site-tagline = Irregular migration flows along the corridor from Colombia to the United States
skip-to-content = Skip to content
nav-label = Main navigation
nav-picture = Situational picture
nav-api = API (JSON)
language-switch-label = Language
# Language names are written in their own language, so a reader finds theirs.
language-en = English
language-es = Español

## The situational picture

picture-title = Situational picture of the corridor
picture-intro = The corridor from Colombia through Panama (Darién), Costa Rica, Nicaragua, Honduras, Guatemala and Mexico to the United States: latest counts reported by each country, and the trend of the top nationalities.
picture-map-heading = The corridor on a map
picture-map-title = Map of the corridor from Colombia to the United States
picture-map-description = Country outlines, with the member countries of the Regional Conference on Migration shaded; the route of the corridor in order; and the places where counts are made, as circles sized by their latest count.
picture-map-legend-member = Member country of the Regional Conference on Migration
picture-map-legend-route = Route of the corridor
picture-map-legend-place = Place where counts are made (circle area: latest count)
picture-map-route-title = Route of the corridor: { $route }
picture-latest-heading = Latest counts
picture-latest-by-country = Latest counts by country
picture-latest-by-place = Latest counts by place
picture-trend-heading = Trend of the top nationalities
picture-trend-chart-title = { $measure } in { $country }, by nationality
picture-trend-chart-description = Monthly counts of { $measure } in { $country } for the { $count ->
        [one] top nationality
       *[other] { $count } top nationalities
    }, from { $from } to { $to }.
picture-no-corridor = No corridor is defined yet.

## Measures (corredor_core::Measure)

measure-irregular_entry = Irregular entries
measure-encounter = Encounters
measure-stranded = Stranded people
measure-asylum_application = Asylum applications
measure-return_executed = Returns carried out
measure-returnee_received = Returnees received
measure-shelter_occupancy = Shelter occupancy
measure-shelter_capacity = Shelter capacity

## Flows, stocks, events

kind-flow = Flow
kind-flow-explanation = A flow counts movements over a period; it can be added up over time.
kind-stock = Stock
kind-stock-explanation = A stock counts people present at a moment; it is never added up over time.
unit-people = people
unit-events = events, not people
unit-events-explanation = The same person is counted again at each point of the corridor, and sometimes twice at one point: adding the counts of several points gives events, not people.

## Periods

period-day = Day
period-week = Week
period-month = Month
period-year = Year
period-latest = Latest period
period-year-before = A year earlier
period-change = Change over a year
period-range = { $from } to { $to }

## Tables

table-country = Country
table-place = Place
table-measure = Measure
table-period = Period
table-count = Count
table-nationality = Nationality
table-trend = Trend
table-transit-days = Typical days from the previous country

## Charts and maps

chart-axis-count = Count
chart-axis-period = Period
chart-legend = Legend
chart-expected-band = Expected range
chart-signal = Signal
chart-signal-title = Signal: { $period }, { $value }
chart-point-title = { $series }, { $period }: { $value }
no-data = No data
no-data-explanation = No country has reported data for this yet.

## Footer

footer-attribution = Data: counts published by the migration authorities of the countries of the corridor, compiled by corredor. Country outlines: Natural Earth (public domain).
footer-sources = Sources
footer-about = corredor is the shared monitoring and early-warning system of the countries of the Regional Conference on Migration.

## Error pages

error-back-home = Back to the situational picture
error-not-found-title = Page not found
error-not-found-body = There is no page at this address. Check the address, or start again from the situational picture.
error-bad-request-title = The request could not be understood
error-bad-request-body = Something in the address or the form is not valid: { $reason }
error-internal-title = Something went wrong on our side
error-internal-body = The page could not be shown. Please try again later; if it keeps happening, tell the Technical Secretariat this reference: { $request_id }.
error-unavailable-title = Service unavailable
error-unavailable-body = corredor cannot answer right now. Please try again in a few minutes.

## Names the pages compose
nationality-unknown = Unknown or other nationality
nationality-stateless = Stateless
map-national-total = national total

## Reporting completeness
nav-completeness = Reporting
completeness-title = Reporting completeness
completeness-intro = For each country and measure: the periods it is expected to report (every period of its usual granularity since its first report, up to the last one that has ended), and whether each was reported on time, late, or not at all. A report is on time when it arrives within the grace period after the period ends.
completeness-caption = Reporting completeness by country and measure
completeness-country = Country
completeness-measure = Measure
completeness-granularity = Reports by
completeness-on-time = On time
completeness-late = Late
completeness-missing = Missing
completeness-due = Due
completeness-last = Last reported
completeness-missing-recent = Latest missing periods
completeness-none = No country has reported yet.
granularity-day = day
granularity-week = week
granularity-month = month
granularity-year = year

## Forecasts
nav-forecasts = Forecasts
forecasts-title = Expected arrivals
forecasts-intro = How many arrivals each country of the corridor can expect over the next months, by nationality, so that shelters, health teams and protection officers are ready before people arrive. Arrivals at a country are forecast from the people counted at the countries before it, delayed by the usual transit time and scaled by the share that continues, plus the country's own arrivals. The forecasts are made again after every import.
forecasts-skill-explanation = Every forecast is kept and scored when the real count arrives. "Skill so far" says how far to trust it: MASE below 1 means it did better than repeating last year's count; the 80% range should contain about 8 counts in 10.
forecasts-none = No forecast yet: a country needs about three years of monthly counts.
forecasts-origin = From the counts up to { $period }.
forecasts-notes = Countries not forecast, and why
forecasts-observed = Counted
forecasts-expected = Expected
forecasts-lower95 = 95% range, lower bound
forecasts-upper95 = 95% range, upper bound
forecasts-interval80 = 80% range
forecasts-skill = Skill so far
forecasts-skill-none = Not scored yet
forecasts-skill-summary = MASE { $value } ({ $count ->
    [one] { $count } forecast scored
   *[other] { $count } forecasts scored
})
forecasts-skill-coverage = { $value }% inside the 80% range
forecasts-skill-baseline = ETS baseline: MASE { $value }
forecasts-all-nationalities = All nationalities
forecasts-chart-title = { $measure } in { $country }: counted and expected
forecasts-chart-description = Monthly counts in { $country } over the last two years, then the expected counts of the next months with the range that should contain the real count 8 times in 10 (shaded) and 19 times in 20 (thin lines).
forecasts-table-caption = Expected arrivals in { $country } by nationality
forecasts-table-note = Each cell: the expected count, and below it the range that should contain the real count 8 times in 10.
forecasts-picture-heading = Expected arrivals
forecasts-picture-caption = Expected arrivals next period, by country
forecasts-picture-link = All forecasts, by nationality and month
forecasts-capacity-heading = Shelter capacity
forecasts-capacity-explanation = Where the upper end of the 80% range of expected arrivals, added to the people already sheltered, exceeds the places a shelter reported. Arrivals of a month are counted as if all were present at once, and a shelter that counts no arrivals is given all the arrivals of its country: read each line as a prompt to check, not a certainty.
forecasts-capacity-none = No shelter is expected to run out of places.
forecasts-capacity-caption = Shelters where expected arrivals would exceed capacity
forecasts-arrivals-upper80 = Arrivals (upper 80%)
forecasts-occupancy = Sheltered now
forecasts-capacity = Places
forecasts-excess = Short by

## Signals (surges found by the scan)
nav-signals = Surges
signals-title = Surges
signals-intro = Series whose latest counts exceed what their own history makes plausible, found by the scan that runs after every report. A signal is not yet an alert: an analyst of the country that owns the series verifies it and records whether it was discarded (an artefact such as a reporting backlog), is being monitored, or was escalated to a migratory alert.
signals-none = No surge found in the periods scanned.
signals-corridor = Corridor { $route } (events, not people)
signals-all-nationalities = all nationalities
signals-chart-description = Counts of the series (line), the range the detector expected from the series' history (shaded, from the expected count to the bound), and the periods above the bound (markers).
signals-observed = Counted
signals-expected = Expected
signals-bound = Bound
signals-score = Score
signals-period = Period
signals-series = Series
signals-algorithm = Algorithm
signals-outcome = Outcome
signals-outcome-open = Open
signals-outcome-discarded = Discarded
signals-outcome-monitoring = Monitoring
signals-outcome-escalated = Escalated
signals-table-caption = Signals of the periods shown, largest excess over the bound first
signals-table-note = Score: how far the count is towards the bound; above 1 means above it. Farrington Flexible compares a period with the same time of year in past years; EARS C2 with the seven periods before a gap of two, for series too short for Farrington.
signals-statistics-heading = How often each algorithm cries wolf
signals-statistics-explanation = The share of decided signals that analysts discarded as artefacts, per algorithm.
signals-statistics-caption = Signals and decisions per algorithm
signals-count = Signals
signals-discarded-share = Discarded
signals-not-decided = None decided yet
signals-picture-heading = Surges
signals-picture-none = No open surge signal.
signals-picture-line = { $value } counted
signals-picture-bound = above the bound of { $value }
signals-picture-link = All surges, with their charts and evidence

## Accounts
account-signed-in-as = Signed in as
account-sign-in = Sign in
account-sign-out = Sign out
role-administrator = administrator
role-focal-point = focal point
role-analyst = analyst
role-observer = observer
sign-in-title = Sign in
sign-in-intro = Focal points, analysts and observers sign in with the name and password the Technical Secretariat gave them. Without signing in you see only what countries publish, with small counts hidden.
sign-in-name = User name
sign-in-password = Password
sign-in-submit = Sign in
sign-in-failed = The user name or the password is wrong.
sign-in-throttled = Too many failed attempts. Wait a minute before trying again.
sign-in-expired-form = The form had expired. Please sign in again.
form-token-missing = the form was sent without its security token (it may have expired): reload the page and try again
signals-decide-heading = Record the outcome of verifying this signal
signals-decide-reason = Why (what was checked, with whom)
signals-decide-submit = Record the decision

## Small counts are suppressed for observers and readers who are not signed in.
suppressed-below-threshold = <5
suppressed-below-threshold-explanation = Fewer than 5: small counts are not shown, so that no person can be singled out.
suppressed-hidden-explanation = hidden so that small counts cannot be derived

## Sharing
nav-sharing = Sharing
sharing-title = Who reads each country's data
sharing-intro = Each country owns its data and chooses, measure by measure, who else reads it. Its own people always read it; nobody else can change it.
sharing-level = Shared with
sharing-level-private = Only the country
sharing-level-named-members = Named member countries
sharing-level-all-members = All member countries
sharing-level-members-and-observers = Members and observers
sharing-level-public = Everyone
sharing-level-private-explanation = Only the country's own focal points and analysts read it.
sharing-level-named-members-explanation = The country and the member countries it names.
sharing-level-all-members-explanation = Every member country and the Technical Secretariat: the level of a measure nobody chose for.
sharing-level-members-and-observers-explanation = Members, the Technical Secretariat and observer organisations such as IOM and UNHCR, with small counts shown as <5 to observers.
sharing-level-public-explanation = Anyone, signed in or not: statistics the country already publishes, with small counts shown as <5.
sharing-choose = Choose who reads the data of { $country }
sharing-named-members = Member countries named
sharing-save = Save
sharing-none = No country has chosen yet: every measure is shared with all member countries.
sharing-table-caption = The choices countries made
sharing-country = Country
sharing-measure = Measure
sharing-default-note = A measure not listed is shared with all member countries.
completeness-sign-in = Reporting completeness is shown to each country for its own reports and to the Technical Secretariat for all.

## Alerts
nav-alerts = Alerts
alerts-title = Migratory alerts
alerts-intro = Warnings countries send each other about a large flow on the route: who it is, where, when it is expected, what each country guarantees for the people in it.
alerts-none = There is no alert you may see.
alerts-issue-link = Issue an alert
alerts-table-caption = The alerts you may see, newest first
alerts-col-headline = Alert
alerts-col-state = State
alerts-col-issuer = Issued by
alerts-col-stage = Stage
alerts-col-people = Estimated people
alerts-col-recipients = Recipients
alerts-col-windows = Expected arrival
alerts-acknowledged-mark = ✓ acknowledged
alerts-not-yet = not yet acknowledged
alerts-no-window = no window
alerts-window = { $from } to { $to }
alerts-map-heading = Where the active alerts are
alerts-map-title = Map of the active alerts
alerts-map-description = Each numbered triangle is where the flow of an active alert was reported, with its area when one was drawn; hatched countries are those the alerts are addressed to. The table below says the same in words.
alerts-map-none = No alert is active: the map is not drawn.
alert-map-addressed = an active alert is addressed to it
alert-map-legend-addressed = Country an active alert is addressed to
alert-map-legend-alert = Where the flow of an alert is (numbered as in the list)
alert-map-legend-area = The alert's area
alerts-map-list-caption = The active alerts on the map
alerts-levels-heading = Alert levels of the corridor countries
alerts-levels-caption = Each country's level, the level its alerts raise it to, and what that level obliges
alerts-levels-none = No level has been set and no alert is active: every country is at the normal level.
alerts-levels-col-country = Country or place
alerts-levels-col-set = Level set
alerts-levels-col-effective = Level in force
alerts-levels-col-required = What it obliges
alerts-levels-nothing = nothing beyond the usual
alerts-stranded-heading = Stranded populations
alerts-stranded-caption = People unable to continue or return, where they are
alerts-stranded-none = No stranded population is recorded that you may see.
alerts-stranded-col-where = Where
alerts-stranded-col-people = Estimated people
alerts-stranded-col-by = Estimate by
alerts-stranded-col-shelter = Shelter: capacity / occupancy
alerts-stranded-col-state = Shelter state
alerts-stranded-overcrowded = Overcrowded: { $count } people without a shelter place
alerts-stranded-within = Within capacity
alerts-stranded-no-shelter = no shelter figures
alert-state-draft = Draft
alert-state-active = Active
alert-state-closed = Closed
alert-state-cancelled = Cancelled
alert-stage-forming = Forming
alert-stage-in-transit = In transit
alert-stage-at-border = At the border
alert-stage-dispersed = Dispersed
alert-level-normal = Normal
alert-level-elevated = Elevated
alert-level-high = High
alert-level-critical = Critical
alert-direction-northbound = Northbound
alert-direction-southbound = Southbound
alert-action-humanitarian-assistance = Humanitarian assistance
alert-action-health-care = Health care
alert-action-protection-screening = Protection screening
alert-action-asylum-referral = Referral to asylum procedures
alert-action-unaccompanied-children-care = Care of unaccompanied children
alert-action-use-of-force-regulation = Regulation of the use of force
alert-action-voluntary-return-information = Information on assisted voluntary return
alert-status-guaranteed = Guaranteed
alert-status-in-progress = In progress
alert-status-done = Done
alert-status-not-possible = Not possible
alert-detail-summary = Summary
alert-detail-version = Version { $count }
alert-detail-issuer = Issuing country
alert-detail-state = State
alert-detail-stage = Stage
alert-detail-route = Route
alert-detail-location = Where
alert-detail-area-place = place { $value }
alert-detail-area-circle = within { $value } km of
alert-detail-area-polygon = an area of { $count } points
alert-detail-composition = Who is in the flow
alert-detail-composition-caption = Estimated composition of the flow
alert-detail-group = Group
alert-detail-count = Estimated people
alert-detail-unknown = not known
alert-group-total = Everyone
alert-group-women = Women
alert-group-children = Children
alert-group-unaccompanied-children = Unaccompanied children
alert-group-pregnant-women = Pregnant women
alert-group-people-with-disabilities = People with disabilities
alert-group-older-people = Older people
alert-detail-nationalities = Nationalities
alert-detail-needs = Needs
alert-detail-needs-none = No need was named.
alert-detail-text = The alert's words
alert-detail-text-es = In Spanish
alert-detail-text-en = In English
alert-detail-instruction = What recipients are asked to do
alert-detail-overdue = Not acknowledged in time: { $value }
alert-detail-recipients = Recipients
alert-detail-recipients-caption = The countries the alert is addressed to, their acknowledgement and their actions
alert-detail-col-country = Country
alert-detail-col-window = Expected arrival
alert-detail-col-acknowledged = Acknowledged
alert-detail-col-actions = Actions recorded
alert-detail-col-outstanding = Still outstanding
alert-detail-acknowledged-by = ✓ by
alert-detail-overdue-mark = Overdue: not acknowledged in time
alert-detail-added-by-issuer = added by the issuer
alert-detail-no-actions = none yet
alert-detail-nothing-outstanding = nothing
alert-detail-timeline = Timeline
alert-detail-timeline-empty = Nothing has happened yet.
alert-detail-by = by
alert-timeline-issued = Issued
alert-timeline-version = New version
alert-timeline-draft = Drafted
alert-timeline-active = Sent to the recipients
alert-timeline-closed = Closed
alert-timeline-cancelled = Cancelled
alert-timeline-recipient-added = Recipient added
alert-timeline-acknowledged = Acknowledged
alert-timeline-action = Action recorded
alert-timeline-reminder = Reminder: not acknowledged in time
alert-detail-back = All alerts
alert-form-issuer-heading = What the issuing country can do
alert-form-recipient-heading = What your country answers
alert-form-activate = Send the alert to its recipients
alert-form-close = Close the alert (the flow passed or dispersed)
alert-form-cancel-heading = Cancel the alert
alert-form-cancel-reason = Why it is cancelled
alert-form-cancel = Cancel the alert
alert-form-add-recipient-heading = Address it to one more country
alert-form-add-recipient = Add the country
alert-form-country = Country
alert-form-acknowledge = Acknowledge receipt
alert-form-action-heading = Record an action
alert-form-action = Action
alert-form-status = Status
alert-form-note = Note (say why when it is not possible)
alert-form-record = Record
alert-form-update-heading = Update the alert (a new version)
alert-form-what-changed = What changed
alert-form-update = Send the update
alert-form-draft-update = Save the draft
alerts-new-title = Issue a migratory alert
alerts-new-intro = The alert goes to the countries ahead on the route, each with its expected arrival window. Write it in Spanish, English or both.
alerts-new-errors = The alert was not issued. Correct these fields:
alerts-new-text-es = Text in Spanish
alerts-new-text-en = Text in English
alerts-new-headline = Headline
alerts-new-description = Description
alerts-new-instruction = What recipients are asked to do (optional)
alerts-new-composition = Size and composition of the flow
alerts-new-nationalities = Nationalities (code:people, separated by commas, e.g. VEN:900, ECU:150)
alerts-new-location = Where the flow is
alerts-new-place = Place
alerts-new-place-none = (no place: use the coordinates)
alerts-new-latitude = Latitude
alerts-new-longitude = Longitude
alerts-new-radius = Radius (km)
alerts-new-location-description = Description of the place
alerts-new-route = Route
alerts-new-corridor = Corridor
alerts-new-direction = Direction
alerts-new-stage = Stage
alerts-new-needs = Needs
alerts-new-needs-note = Other needs
alerts-new-seen-on = Day the flow was seen (from which arrivals are counted)
alerts-new-activate = Send now (otherwise it is kept as a draft)
alerts-new-submit = Issue the alert
alerts-new-not-allowed = Only a country's focal points issue alerts.
alert-error-number = { $value }: write a whole number of people, 0 or more.
alert-error-required = { $value }: this is needed.
alert-error-coordinate = { $value }: write a number in degrees (a point as 8.43).
alert-error-nationalities = { $value }: write each nationality as a three-letter code and a number, e.g. VEN:900.
alert-error-date = { $value }: write a date as 2023-09-14.
alert-error-choice = { $value }: choose one of the options.
alert-error-location = { $value }: choose a place, or give latitude, longitude and radius.
alert-live-new = New alert from { $country }: { $value }
alert-live-changed = Alert from { $country } changed: { $value }
alert-live-open = Open the alert
alert-live-reload = Reload the page
nav-returns = Returns
returns-title = Assisted voluntary returns
returns-intro = Return operations between a host country and an origin country, with their safeguards, and the region's figures. Only the two countries see the case references.
returns-operations-heading = Your country's operations
returns-none = Your country hosts or receives no return operation.
returns-table-caption = Return operations your country hosts or receives, newest first
returns-col-operation = Operation
returns-col-state = State
returns-col-route = Host → origin
returns-col-people = People
returns-col-date = Planned date
returns-col-transport = Transport
returns-col-points = Departure → reception
returns-col-safeguards = Safeguards
returns-col-received = Received (difference)
returns-col-operations = Operations
returns-col-planned = People planned
returns-col-received-people = People received
returns-aggregates-heading = Returns in the region
returns-aggregates-none = No return operation has been proposed in the region yet.
returns-aggregates-caption = Returns by host country and origin country
returns-aggregates-suppressed = Counts from 1 to { $count } are shown as "<{ $count }" so that no one can be identified.
returns-territories-link = Origin territories: returnees, reintegration and prevention
return-number = Operation { $value }
return-back = All return operations
return-state-draft = Draft
return-state-proposed = Proposed
return-state-accepted = Accepted
return-state-rescheduled = Rescheduled
return-state-declined = Declined
return-state-departed = Departed
return-state-received = Received
return-state-closed = Closed
return-state-cancelled = Cancelled
return-step-draft = Drafted
return-step-record-safeguards = Safeguards recorded
return-step-propose = Proposed
return-step-accept = Accepted
return-step-reschedule = Rescheduled
return-step-decline = Declined
return-step-depart = Departed
return-step-receive = Received
return-step-close = Closed
return-step-cancel = Cancelled
return-step-anonymise = Anonymised
return-transport-air = Air
return-transport-land = Land
return-transport-sea = Sea
return-need-health = Health
return-need-documents = Documents
return-need-shelter = Shelter
return-need-onward-transport = Onward transport to the place of origin
return-safeguard-not-recorded = No safeguards recorded
return-safeguard-informed-consent = Informed consent
return-safeguard-non-refoulement = Non-refoulement (protection claim pending)
return-safeguard-best-interest-determination = Best-interest determination
return-missing-people = { $count ->
    [one] 1 person
   *[other] { $count } people
} in { $value } case(s)
return-missing-children = { $count ->
    [one] 1 child
   *[other] { $count } children
} without one, in { $value } case(s)
return-safeguards-complete = Complete
return-sex-f = Women
return-sex-m = Men
return-sex-x = Another sex
return-sex-unknown = Sex unknown
return-age = Aged { $value }
return-age-unknown = Age unknown
return-group-people = People
return-group-unaccompanied = Unaccompanied children
return-group-separated = Separated children
return-group-family-units = Family units
return-group-in-families = People in family units
return-group-specific-needs = People with specific needs
return-detail-summary = Summary
return-detail-host = Host country
return-detail-origin = Origin country
return-detail-departure = Departure point
return-detail-reception-point = Reception point
return-detail-difference-words = Difference between received and planned: { $value } people
return-detail-composition = Group composition
return-detail-composition-caption = The group planned and, once received, the group received
return-detail-group = Group
return-detail-planned = Planned
return-detail-received = Received
return-detail-difference = Difference
return-detail-by-territory = Received by territory
return-detail-reception-note = Reception's note
return-detail-confirmed-by = Reception confirmed by
return-detail-needs = What the reception must prepare
return-detail-needs-none = Nothing in particular.
return-detail-safeguards = Safeguards
return-detail-safeguard-totals = { $count ->
    [one] 1 case
   *[other] { $count } cases
}, { $value } people informed and consenting; recorded
return-detail-by = by
return-detail-cases = Case references
return-detail-history = History
return-forms-heading = Steps of the operation
return-form-accept = Accept for the planned date
return-form-reschedule-heading = Accept for another date
return-form-new-date = New date
return-form-reason = Reason
return-form-reschedule = Reschedule
return-form-decline-heading = Decline the return
return-form-decline = Decline
return-form-receive-heading = Confirm the reception
return-form-receive-intro = Write the numbers actually received; the planned numbers are shown.
return-form-by-territory = By territory of destination (code:people, separated by commas, e.g. GT-SM:4, GT-HU:2)
return-form-note = Note
return-form-receive = Confirm the reception
return-form-depart = The group has left
return-form-close = Close the operation
return-form-cancel-heading = Cancel the operation
return-form-cancel = Cancel
return-service-identity-documents = Identity documents
return-service-health-care = Health care
return-service-psychosocial-support = Psychosocial support
return-service-job-referral = Job referral
return-service-job-placement = In a job
return-service-education = Education
return-service-cash-or-in-kind-support = Cash or in-kind support
return-follow-up-3-months = At 3 months
return-follow-up-6-months = At 6 months
return-follow-up-12-months = At 12 months
return-provider-government = government
return-provider-private-sector = private sector
return-provider-civil-society = civil society
return-provider-international-organisation = international organisation
programme-type-livelihoods = Livelihoods
programme-type-vocational-training = Vocational training
programme-type-education = Education
programme-type-community-development = Community development
programme-type-safe-migration-information = Safe migration information
programme-type-child-protection = Child protection
programme-type-other = Other
territories-title = Origin territories: { $country }
territories-back = Returns
territories-intro = By first-level division: returnees received by month, their reintegration outcomes and the prevention programmes running.
territories-suppressed = Counts from 1 to 4 are shown as "<5", and a territory's total is hidden when one of its months is.
territories-none = No returnees, reintegration records or programmes in this country's territories yet.
territories-hidden = hidden
territories-received-heading = Returnees received
territories-received-caption = Returnees received by territory and month
territories-col-territory = Territory
territories-col-total = Total
territories-outcomes-heading = Reintegration
territories-outcomes-caption = Reintegration outcomes by territory and follow-up
territories-outcomes-note = Percentages are of the people followed up, not of every returnee.
territories-col-follow-up = Follow-up
territories-col-returnees = Returnees
territories-col-followed-up = Followed up
territories-programmes-heading = Prevention programmes running
territories-programmes-caption = Prevention programmes active today
territories-programmes-none = No active prevention programme is registered.
territories-col-programme = Programme
territories-col-run-by = Run by
territories-col-type = Type
territories-col-beneficiaries = Beneficiaries
territories-col-period = Period
territories-without-territory = Received without a territory recorded
returns-picture-heading = Returns
returns-picture-in-progress = Operations in progress
returns-picture-people = { $count ->
    [one] 1 person
   *[other] { $count } people
}
returns-picture-received = Returnees received, latest month
returns-picture-year = { $value } in the last { $count ->
    [one] month
   *[other] { $count } months
}
returns-picture-none = No counts of returnees received are shared with you yet.
returns-picture-link = Assisted voluntary returns and origin territories
return-new-link = Propose a return
return-new-title = A new return operation
return-new-intro = Draft the return of a group to its origin country. The draft is yours alone until you propose it; before proposing, record each case's safeguards on the operation's page.
return-new-forbidden = Only a country's focal point drafts a return operation.
return-form-point-other = Another point (describe it below)
return-form-point-description = Or describe the point
return-form-errors = The draft was not saved: correct the fields below.
return-form-draft = Save the draft
return-form-safeguards-heading = Safeguards of each case
return-form-cases = Cases, one a line
return-form-cases-hint = Write the reference first, then the people, those informed who consented, "no claim" or the pending protection claims, the unaccompanied or separated children and one reference and date per best-interest determination, e.g.
return-form-case-ref-hint = The reference is pseudonymous: derive it from your case number on your own systems, with your country's key, by
return-form-safeguards = Record the safeguards
return-form-propose-intro = Proposing sends the operation to the origin country; it is refused while any safeguard is missing.
return-form-propose = Propose to the origin country
territories-forms-heading = Report for your country
territories-form-record-heading = A reintegration record
territories-form-cohort-month = Month the returnees were received
territories-form-services = People reached by each service, and who delivered it
territories-form-provider-unknown = Provider not known
territories-form-record = Record
territories-form-programme-heading = A prevention programme
territories-form-run-by-kind = Kind of organisation
territories-form-from = From
territories-form-to = To (empty while it runs)
territories-form-programme = Register the programme

## Origin territories: the map of first-level divisions
territories-map-heading = Map of returnees received
territories-map-title = Returnees received by first-level division: { $country }
territories-map-description = Each first-level division of { $country } is shaded by the returnees it received { $period }: darker is more. Each division links to its row in the table below the map, which gives the same figures in words.
territories-map-period = from { $from } to { $to }
territories-map-none = none recorded
territories-map-fewer = fewer than { $count }
territories-map-at-least = at least { $count }
territories-map-withheld = withheld
territories-map-legend-none = None recorded
territories-map-legend-range = { $from } to { $to }
territories-map-legend-withheld = Withheld (a month under 5)
territories-map-attribution = Boundaries: Natural Earth (public domain). Municipalities are counted in their division.
territories-map-no-geometry = corredor has no boundaries for this country's first-level divisions yet, so there is no map; the table gives the figures.
territories-map-caption = Returnees received by first-level division
territories-map-col-division = Division
territories-map-col-code = Code
territories-map-col-received = Returnees received
territories-map-period-none = (none recorded yet)
territories-map-years = Year shown on the map
territories-map-all-months = All months
territories-form-cohort = Cohort: the month the returnees were received, or their return operation
territories-form-cohort-operation = Return operation (its number)
