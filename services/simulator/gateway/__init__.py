"""A stand-in SMS gateway for tests and the local demo: it speaks Twilio's, Telerivet's,
RapidPro's and Africa's Talking's APIs and the generic JSON gateway's, answers and calls back
as they do, and texts nobody."""
