"""A stand-in SMS gateway for tests and the local demo: it speaks Twilio's Messages API and the
generic JSON gateway's, answers and calls back as they do, and texts nobody."""
