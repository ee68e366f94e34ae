{-# LANGUAGE BangPatterns #-}
-- | The eventlog baseline of bench/formats.ts: decodes every event of an eventlog with ghc-events' incremental
-- decoder, reading the file in 64 KiB chunks (constant memory, like ghcprof's streaming reader), forcing each
-- event's payload constructor and timestamp, and prints the count.
--
-- Build: ghc -O2 -package ghc-events bench/reference/DecodeEvents.hs -outputdir bench/large/ref-build \
--          -o bench/large/decode-events        (Debian: apt-get install ghc libghc-ghc-events-dev)
-- Run:   bench/large/decode-events FILE.eventlog
module Main (main) where

import qualified Data.ByteString as B
import Data.Word (Word64)
import GHC.RTS.Events (Event (..))
import GHC.RTS.Events.Incremental (Decoder (..), decodeEventLog)
import System.Environment (getArgs)
import System.Exit (exitFailure)
import System.IO

main :: IO ()
main = do
  args <- getArgs
  case args of
    [path] -> withBinaryFile path ReadMode $ \h -> do
      (n, t) <- decodeAll h decodeEventLog 0 0
      putStrLn (show n ++ " events (timestamp sum " ++ show t ++ ")")
    _ -> hPutStrLn stderr "usage: decode-events FILE.eventlog" >> exitFailure

decodeAll :: Handle -> Decoder Event -> Int -> Word64 -> IO (Int, Word64)
decodeAll h decoder !n !t = case decoder of
  Produce e next -> evSpec e `seq` decodeAll h next (n + 1) (t + evTime e)
  Consume k -> do
    chunk <- B.hGetSome h 65536
    if B.null chunk
      then return (n, t) -- the file ended before the end-of-data marker
      else decodeAll h (k chunk) n t
  Done _ -> return (n, t)
  Error _ err -> hPutStrLn stderr ("decode error: " ++ err) >> return (n, t)
